<#
.SYNOPSIS
  Enables the TLS 1.2 server side of SCHANNEL (Enabled=1, DisabledByDefault=0) when it is explicitly disabled. Never
  enables TLS 1.0 or 1.1.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: the RDP listener's TLS security layer needs a server protocol; Schannel event 36871 (internal error 10013)
  means TLS is disabled by policy (Microsoft Learn event-id-troubleshoot-vm-rdp-connecton scenario 2). A missing
  value already means enabled (the OS default), so only an explicit 0 (or DisabledByDefault=1) counts as evidence.
  SCHANNEL reads these values at boot: the VM needs a restart.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'enable-tls-server'
try {
  $key = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Server'
  $enabled = Get-AzrdpfixRegValue $key 'Enabled'
  $byDefault = Get-AzrdpfixRegValue $key 'DisabledByDefault'
  $dir = $null
  if ($null -ne $enabled -and "$($enabled.value)" -eq '0') {
    $dir = Initialize-AzrdpfixBackup $RunId
    Set-AzrdpfixRegValue $dir 'enable-tls-server' $result $key 'Enabled' 'DWord' 1
  }
  if ($null -ne $byDefault -and "$($byDefault.value)" -ne '0') {
    if ($null -eq $dir) { $dir = Initialize-AzrdpfixBackup $RunId }
    Set-AzrdpfixRegValue $dir 'enable-tls-server' $result $key 'DisabledByDefault' 'DWord' 0
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
