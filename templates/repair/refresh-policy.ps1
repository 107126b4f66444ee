<#
.SYNOPSIS
  Re-applies computer Group Policy: gpupdate /target:computer /force, then reports which Remote Desktop values
  policy still sets.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: when a GPO owns a value (fDenyTSConnections, UserAuthentication...), the fix belongs in the GPO; after the
  domain admin has changed it, a refresh brings the new value now instead of at the next 90-minute cycle
  (Microsoft Learn troubleshoot-rdp-internal-error, TLS step: gpupdate /force). Any restart prompt is answered No:
  azrdpfix restarts through Azure, never from inside the VM.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'refresh-policy'
try {
  $tsPolicy = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
  $before = Get-AzrdpfixRegValue $tsPolicy 'fDenyTSConnections'
  $dir = Initialize-AzrdpfixBackup $RunId
  Add-AzrdpfixJournal $dir 'refresh-policy' ([ordered]@{ op = 'gpupdate'; before = (ConvertTo-AzrdpfixRegText $before) })
  Invoke-AzrdpfixNative 'cmd.exe' @('/d', '/c', 'echo N| gpupdate.exe /target:computer /force /wait:120') | Out-Null
  $after = Get-AzrdpfixRegValue $tsPolicy 'fDenyTSConnections'
  Add-AzrdpfixChange $result 'computer policy refreshed; policy fDenyTSConnections' (ConvertTo-AzrdpfixRegText $before) (ConvertTo-AzrdpfixRegText $after)
  if ($null -ne $after -and "$($after.value)" -eq '1') {
    Add-AzrdpfixFinding $result 'gpo-controls-value' 'policy still sets fDenyTSConnections=1: the GPO must change'
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
