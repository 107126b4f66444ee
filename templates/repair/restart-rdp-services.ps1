<#
.SYNOPSIS
  Sets TermService (and SessionEnv) back to Manual start if Disabled, then restarts SessionEnv and TermService so
  Windows issues a fresh self-signed RDP certificate and the listener reloads its configuration.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: Microsoft Learn renews the self-signed certificate by deleting it and restarting SessionEnv, and ends the
  MachineKeys reset with Restart-Service TermService -Force; a Disabled TermService is set back to demand start
  (troubleshoot-remote-desktop-services-issues). The old start type is journaled so rollback can restore it.
  Only planned on evidence (a certificate, key, service or listener fix, or TermService not running).
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'restart-rdp-services'
try {
  $dir = Initialize-AzrdpfixBackup $RunId
  foreach ($name in @('SessionEnv', 'TermService')) {
    $svc = Get-Service -Name $name
    if ("$($svc.StartType)" -eq 'Disabled') {
      Add-AzrdpfixJournal $dir 'restart-rdp-services' ([ordered]@{ op = 'service-start'; name = $name; before = 'Disabled'; after = 'Manual' })
      Set-Service -Name $name -StartupType Manual
      Add-AzrdpfixChange $result "$name start type" 'Disabled' 'Manual'
    }
  }
  # Restarting TermService stops UmRdpService with it; bring it back if it was running.
  $umWasRunning = "$((Get-Service -Name 'UmRdpService' -ErrorAction SilentlyContinue).Status)" -eq 'Running'
  foreach ($name in @('SessionEnv', 'TermService')) {
    $before = "$((Get-Service -Name $name).Status)"
    Add-AzrdpfixJournal $dir 'restart-rdp-services' ([ordered]@{ op = 'service-restart'; name = $name; before = $before })
    if ($before -eq 'Running') { Restart-Service -Name $name -Force } else { Start-Service -Name $name }
    $after = "$((Get-Service -Name $name).Status)"
    if ($after -ne 'Running') { throw "$name is $after after the restart" }
    Add-AzrdpfixChange $result "$name restarted" $before $after
  }
  if ($umWasRunning) { Start-Service -Name 'UmRdpService' -ErrorAction SilentlyContinue }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
