<#
.SYNOPSIS
  Re-applies computer Group Policy (gpupdate /target:computer /force, bounded, never interactive), then reports which
  Remote Desktop values policy still sets. Best-effort: never stops the critical steps.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: when a GPO owns a value (fDenyTSConnections, UserAuthentication...), the fix belongs in the GPO; after the
  domain admin has changed it, a refresh brings the new value now instead of at the next 90-minute cycle
  (Microsoft Learn troubleshoot-rdp-internal-error, TLS step: gpupdate /force). /target:computer never asks to log
  off; a restart question reads end-of-file on the closed standard input, so it is answered No (azrdpfix restarts
  through Azure, never from inside the VM). gpupdate waits at most 120 s and is killed after 180 s; a failure (a
  domain controller out of reach) is a finding, not a reason to skip the critical steps.
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
  $out = Invoke-AzrdpfixNative 'gpupdate.exe' @('/target:computer', '/force', '/wait:120') -AllowFailure -TimeoutSeconds 180
  if ($script:AzrdpfixExitCode -ne 0) {
    Add-AzrdpfixFinding $result 'policy-refresh-failed' ("gpupdate exit $script:AzrdpfixExitCode" + ': ' + ($out | Select-Object -Last 1))
    throw "gpupdate failed (exit $script:AzrdpfixExitCode)"
  }
  $after = Get-AzrdpfixRegValue $tsPolicy 'fDenyTSConnections'
  Add-AzrdpfixChange $result 'computer policy refreshed; policy fDenyTSConnections' (ConvertTo-AzrdpfixRegText $before) (ConvertTo-AzrdpfixRegText $after)
  if ($null -ne $after -and "$($after.value)" -eq '1') {
    Add-AzrdpfixFinding $result 'gpo-controls-value' 'policy still sets fDenyTSConnections=1: the GPO must change'
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
