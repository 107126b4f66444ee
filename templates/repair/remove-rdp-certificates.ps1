<#
.SYNOPSIS
  Exports (.cer), then deletes, each listed certificate in Cert:\LocalMachine\Remote Desktop that is still expired or
  has no usable private key, so that Windows issues a fresh one when the services restart.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.PARAMETER Thumbprints
  Thumbprints (40 upper-case hex digits each) joined with '_' (inert in cmd.exe and in -Command mode), chosen by
  the diagnosis.
.NOTES
  Why: Microsoft Learn (troubleshoot-rdp-internal-error, "Renew the self-signed certificate") removes the certificate
  from the Remote Desktop store so that Windows issues a fresh one when SessionEnv/TermService restart. Each
  certificate is re-checked just before deletion (a valid one with a key is kept; an unreadable key is repaired by
  repair-rdp-key-acl, not deleted). Only the .cer is kept, never a PFX: no private key is written to disk; the key
  container stays in place and its name is journaled so rollback can re-link it. A certificate that an RDP listener
  binding (WinStations\*\SSLCertificateSHA1Hash) still pins has that binding cleared first, journaled.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId,
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9A-F]{40}(_[0-9A-F]{40}){0,15}$')][string]$Thumbprints
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'remove-rdp-certificates'
try {
  $dir = $null
  $winStations = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations'
  foreach ($tp in ($Thumbprints -split '_')) {
    $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\Remote Desktop\' + $tp) -ErrorAction SilentlyContinue
    if ($null -eq $cert) { Add-AzrdpfixFinding $result 'certificate-gone' "$tp is no longer in Remote Desktop"; continue }
    $expired = $cert.NotAfter -lt (Get-Date)
    $key = Get-AzrdpfixKeyState $cert
    $keyless = (-not $key.hasKey) -or ((-not $key.opens) -and (-not $key.keyFile))
    if (-not $expired -and -not $keyless) {
      Add-AzrdpfixFinding $result 'certificate-kept' "$tp is valid and has its key; kept"
      continue
    }
    if ($null -eq $dir) { $dir = Initialize-AzrdpfixBackup $RunId }
    # A listener still pinned to this certificate would fail to load it: clear that binding first (journaled).
    foreach ($ws in @(Get-ChildItem -LiteralPath $winStations -ErrorAction SilentlyContinue)) {
      $wsPath = $winStations + '\' + $ws.PSChildName
      $bound = ConvertTo-AzrdpfixRegText (Get-AzrdpfixRegValue $wsPath 'SSLCertificateSHA1Hash')
      if ($bound -eq $tp) { Remove-AzrdpfixRegValue $dir 'remove-rdp-certificates' $result $wsPath 'SSLCertificateSHA1Hash' }
    }
    $cer = Join-Path $dir ("rdp-$tp.cer")
    [System.IO.File]::WriteAllBytes($cer, $cert.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Cert))
    $result.backups.Add($cer)
    $why = @()
    if ($expired) { $why += 'expired ' + (Get-AzrdpfixTime $cert.NotAfter) }
    if ($keyless) { $why += 'no usable private key' }
    $container = $null
    if ($key.keyFile) { $container = Split-Path -Leaf $key.keyFile }
    Add-AzrdpfixJournal $dir 'remove-rdp-certificates' ([ordered]@{ op = 'cert-remove'; store = 'Remote Desktop'; tp = $tp;
        cer = $cer; keyContainer = $container })
    Remove-Item -LiteralPath ('Cert:\LocalMachine\Remote Desktop\' + $tp)
    Add-AzrdpfixChange $result "Remote Desktop certificate $tp" ($why -join ', ') 'deleted'
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
