<#
.SYNOPSIS
  Exports, then deletes, each listed certificate in Cert:\LocalMachine\Remote Desktop that is still expired or whose
  private key TermService still cannot read.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.PARAMETER Thumbprints
  Comma-separated thumbprints (40 upper-case hex digits each) chosen by the diagnosis.
.NOTES
  Why: Microsoft Learn (troubleshoot-rdp-internal-error, "Renew the self-signed certificate") removes the certificate
  from the Remote Desktop store so that Windows issues a fresh one when SessionEnv/TermService restart. Each certificate
  is exported first (.cer always, .pfx when the key can be exported), and re-checked just before deletion: an earlier
  step (the MachineKeys ACL reset) may already have made it usable again. The private key file is not deleted.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId,
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9A-F]{40}(,[0-9A-F]{40}){0,15}$')][string]$Thumbprints
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'remove-rdp-certificates'
try {
  $dir = $null
  foreach ($tp in ($Thumbprints -split ',')) {
    $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\Remote Desktop\' + $tp) -ErrorAction SilentlyContinue
    if ($null -eq $cert) { Add-AzrdpfixFinding $result 'certificate-gone' "$tp is no longer in Remote Desktop"; continue }
    $expired = $cert.NotAfter -lt (Get-Date)
    $key = Get-AzrdpfixKeyState $cert
    if (-not $expired -and $key.keyReadable) {
      Add-AzrdpfixFinding $result 'certificate-healthy' "$tp is valid and its key is readable now; kept"
      continue
    }
    if ($null -eq $dir) { $dir = Initialize-AzrdpfixBackup $RunId }
    $cer = Join-Path $dir ("rdp-$tp.cer")
    [System.IO.File]::WriteAllBytes($cer, $cert.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Cert))
    $result.backups.Add($cer)
    $pfx = $null
    try {
      $bytes = $cert.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Pkcs12)
      $pfx = Join-Path $dir ("rdp-$tp.pfx")
      [System.IO.File]::WriteAllBytes($pfx, $bytes)
      $result.backups.Add($pfx)
    } catch {
      # An unreadable or non-exportable key is the usual reason we are here: the .cer is the backup then.
      $pfx = $null
    }
    $why = @()
    if ($expired) { $why += 'expired ' + (Get-AzrdpfixTime $cert.NotAfter) }
    if (-not $key.keyReadable) { $why += 'key unreadable' }
    Add-AzrdpfixJournal $dir 'remove-rdp-certificates' ([ordered]@{ op = 'cert-remove'; store = 'Remote Desktop'; tp = $tp;
        cer = $cer; pfx = $pfx })
    Remove-Item -LiteralPath ('Cert:\LocalMachine\Remote Desktop\' + $tp)
    Add-AzrdpfixChange $result "Remote Desktop certificate $tp" ($why -join ', ') 'deleted'
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
