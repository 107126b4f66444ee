<#
.SYNOPSIS
  Starts the Windows Time service (Manual start if it was Disabled) and forces a resync: w32tm /resync /force.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: a guest clock far from real time makes the TLS handshake and NLA (Kerberos/CredSSP) fail. The guest cannot
  judge its own clock, so azrdpfix plans this step only when the guest time differs from the caller's by more than
  5 minutes. The old start type is journaled; the resync itself cannot be undone.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'resync-time'
try {
  $dir = Initialize-AzrdpfixBackup $RunId
  $svc = Get-Service -Name 'w32time'
  if ("$($svc.StartType)" -eq 'Disabled') {
    Add-AzrdpfixJournal $dir 'resync-time' ([ordered]@{ op = 'service-start'; name = 'w32time'; before = 'Disabled'; after = 'Manual' })
    Set-Service -Name 'w32time' -StartupType Manual
    Add-AzrdpfixChange $result 'w32time start type' 'Disabled' 'Manual'
  }
  if ("$($svc.Status)" -ne 'Running') {
    Add-AzrdpfixJournal $dir 'resync-time' ([ordered]@{ op = 'service-state'; name = 'w32time'; before = "$($svc.Status)"; after = 'Running' })
    Start-Service -Name 'w32time'
    Add-AzrdpfixChange $result 'w32time' "$($svc.Status)" 'Running'
  }
  $before = Get-AzrdpfixTime
  Add-AzrdpfixJournal $dir 'resync-time' ([ordered]@{ op = 'time-resync'; before = $before })
  Invoke-AzrdpfixNative 'w32tm.exe' @('/resync', '/force') | Out-Null
  Add-AzrdpfixChange $result 'clock (UTC)' $before (Get-AzrdpfixTime)
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
