<#
.SYNOPSIS
  Deletes RDP-Tcp\SSLCertificateSHA1Hash when it still names Thumbprint and that certificate is missing or expired.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.PARAMETER Thumbprint
  The bound thumbprint the diagnosis saw (40 upper-case hex digits). Nothing changes if the binding differs now.
.NOTES
  Why: a binding to a certificate that is gone or expired makes the listener fail its TLS handshake; with the value
  deleted Windows falls back to its self-signed certificate (Microsoft Learn, event-id-troubleshoot-vm-rdp-connecton,
  scenario 1 step 3). Unlike the built-in ResetRDPCert it never touches SecurityLayer or MinEncryptionLevel.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId,
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9A-F]{40}$')][string]$Thumbprint
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'clear-stale-binding'
try {
  $rdpTcp = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp'
  $bound = ConvertTo-AzrdpfixRegText (Get-AzrdpfixRegValue $rdpTcp 'SSLCertificateSHA1Hash')
  if ($bound -ne $Thumbprint) {
    Add-AzrdpfixFinding $result 'binding-changed' ('binding is now ' + $(if ($bound) { $bound } else { 'not set' }) + '; left alone')
  } else {
    $cert = $null
    foreach ($store in @('Remote Desktop', 'My')) {
      if ($null -eq $cert) { $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\' + $store + '\' + $Thumbprint) -ErrorAction SilentlyContinue }
    }
    if ($cert -and $cert.NotAfter -gt (Get-Date)) {
      Add-AzrdpfixFinding $result 'binding-valid' ('bound certificate exists and is valid until ' + (Get-AzrdpfixTime $cert.NotAfter))
    } else {
      $dir = Initialize-AzrdpfixBackup $RunId
      Remove-AzrdpfixRegValue $dir 'clear-stale-binding' $result $rdpTcp 'SSLCertificateSHA1Hash'
    }
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
