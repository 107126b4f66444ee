<#
.SYNOPSIS
  Starts the Windows Time service (Manual start if it was Disabled) with a bounded wait and asks for a resync:
  w32tm /resync /rediscover. Best-effort: runs first in a bundle and never stops the critical steps.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: a guest clock far from real time makes the TLS handshake and NLA (Kerberos/CredSSP) fail, and makes the
  later steps misjudge certificate expiry, so this step runs first. The guest cannot judge its own clock, so azrdpfix
  plans it only when the guest time differs from the caller's by more than 5 minutes. /resync /rediscover are
  documented switches (Learn "Windows Time service tools and settings"); a stand-alone VM refuses corrections over
  15 hours and NTP may be blocked, so a failed resync is a finding (time-not-synced) and azrdpfix judges the clock
  against the caller's. The old start type is journaled; the resync itself cannot be undone.
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
    Start-AzrdpfixService 'w32time' 30 | Out-Null
    Add-AzrdpfixChange $result 'w32time' "$($svc.Status)" 'Running'
  }
  $before = Get-AzrdpfixTime
  Add-AzrdpfixJournal $dir 'resync-time' ([ordered]@{ op = 'time-resync'; before = $before })
  $out = Invoke-AzrdpfixNative 'w32tm.exe' @('/resync', '/rediscover') -AllowFailure -TimeoutSeconds 60
  if ($script:AzrdpfixExitCode -ne 0) {
    $last = $out | Select-Object -Last 1
    throw "w32tm /resync failed (exit $script:AzrdpfixExitCode): $last"
  }
  Add-AzrdpfixChange $result 'clock (UTC)' $before (Get-AzrdpfixTime)
} catch {
  Set-AzrdpfixFailed $result $_
  Add-AzrdpfixFinding $result 'time-not-synced' $_.Exception.Message
}
Write-AzrdpfixResult $result
