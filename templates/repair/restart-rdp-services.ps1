<#
.SYNOPSIS
  Sets TermService (and SessionEnv) back to Manual start if Disabled, restarts SessionEnv and TermService with bounded
  waits, then checks that Windows holds a valid RDP certificate and that something listens on the RDP port.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: Microsoft Learn renews the self-signed certificate by deleting it and restarting SessionEnv, and ends the
  MachineKeys reset with a TermService restart; a Disabled TermService is set back to demand start
  (troubleshoot-remote-desktop-services-issues). The old start type is journaled so rollback can restore it.
  Every wait is bounded (60 s per stop or start, 30 s for the certificate and the listener): a service hung in a
  pending state is reported with its state and PID instead of holding Run Command for 90 minutes. Restarting
  TermService drops the sessions connected through it; diagnose counts them (facts.sessions) beforehand.
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
  # Stopping TermService stops UmRdpService with it; bring it back if it was running.
  $umWasRunning = "$((Get-Service -Name 'UmRdpService' -ErrorAction SilentlyContinue).Status)" -eq 'Running'
  foreach ($name in @('SessionEnv', 'TermService')) {
    $before = "$((Get-Service -Name $name).Status)"
    Add-AzrdpfixJournal $dir 'restart-rdp-services' ([ordered]@{ op = 'service-restart'; name = $name; before = $before })
    Start-AzrdpfixService $name 60 -Restart | Out-Null
    Add-AzrdpfixChange $result "$name restarted" $before 'Running'
  }
  if ($umWasRunning) {
    try { Start-AzrdpfixService 'UmRdpService' 30 | Out-Null } catch { Add-AzrdpfixFinding $result 'umrdpservice-not-started' $_.Exception.Message }
  }
  # Post-condition: SessionEnv issued (or kept) a valid certificate and the listener is up on the RDP port.
  $port = 3389
  $p = Get-AzrdpfixRegValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp' 'PortNumber'
  if ($null -ne $p) { $port = [int]$p.value }
  $deadline = (Get-Date).AddSeconds(30)
  $validCert = $null
  $listening = $false
  do {
    $tp = Get-AzrdpfixListenerThumbprint
    $candidates = @(Get-ChildItem -LiteralPath 'Cert:\LocalMachine\Remote Desktop' -ErrorAction SilentlyContinue)
    if ($tp) { $candidates = @($candidates | Where-Object { $_.Thumbprint -eq $tp }) + @(Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $tp) -ErrorAction SilentlyContinue) }
    $validCert = $candidates | Where-Object { $_ -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date) -and $_.NotBefore -lt (Get-Date) } | Select-Object -First 1
    $listening = $null -ne (Get-NetTCPConnection -State Listen -LocalPort $port -ErrorAction SilentlyContinue | Select-Object -First 1)
    if ($validCert -and $listening) { break }
    Start-Sleep -Seconds 2
  } while ((Get-Date) -lt $deadline)
  if (-not $validCert) {
    Add-AzrdpfixFinding $result 'no-valid-certificate' 'no valid RDP certificate with a private key 30 s after the restart (events 1057/1058 tell why)'
  }
  if (-not $listening) {
    Add-AzrdpfixFinding $result 'not-listening' "nothing listens on TCP port $port 30 s after the restart"
  }
  if (-not $validCert -or -not $listening) { throw 'the services restarted but RDP is not ready: see the findings' }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
