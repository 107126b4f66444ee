<#
.SYNOPSIS
  Allows Remote Desktop connections: Terminal Server fDenyTSConnections=0, TSEnabled=1, TSUserEnabled=0,
  TSServerDrainMode=0 and RDP-Tcp fEnableWinStation=1, fLogonDisabled=0, each only if it is set the other way. A
  policy value is reported (finding gpo-controls-value), never overwritten.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: Microsoft Learn troubleshoot-rdp-general-error lists these values as the component and listener switches; a
  Group Policy value wins at the next refresh, so fighting it would only hide the real owner (the GPO).
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'enable-remote-connections'
try {
  $ts = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server'
  $rdpTcp = "$ts\WinStations\RDP-Tcp"
  $policy = Get-AzrdpfixRegValue 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' 'fDenyTSConnections'
  if ($null -ne $policy -and "$($policy.value)" -eq '1') {
    Add-AzrdpfixFinding $result 'gpo-controls-value' 'policy fDenyTSConnections=1 denies RDP: change the GPO "Allow users to connect remotely by using Remote Desktop Services"'
  }
  $dir = $null
  $deny = Get-AzrdpfixRegValue $ts 'fDenyTSConnections'
  # While a policy value exists, Terminal Services uses it: changing the local value would change nothing now.
  if ($null -eq $policy -and $null -ne $deny -and "$($deny.value)" -ne '0') {
    $dir = Initialize-AzrdpfixBackup $RunId
    Set-AzrdpfixRegValue $dir 'enable-remote-connections' $result $ts 'fDenyTSConnections' 'DWord' 0
  }
  # Each switch only when it is set the wrong way (Learn troubleshoot-rdp-general-error): key, name, wrong, right.
  foreach ($sw in @(@($rdpTcp, 'fEnableWinStation', '0', 1), @($ts, 'TSEnabled', '0', 1), @($ts, 'TSUserEnabled', '1', 0),
      @($ts, 'TSServerDrainMode', '1', 0), @($rdpTcp, 'fLogonDisabled', '1', 0))) {
    $v = Get-AzrdpfixRegValue $sw[0] $sw[1]
    if ($null -ne $v -and "$($v.value)" -eq $sw[2]) {
      if ($null -eq $dir) { $dir = Initialize-AzrdpfixBackup $RunId }
      Set-AzrdpfixRegValue $dir 'enable-remote-connections' $result $sw[0] $sw[1] 'DWord' $sw[3]
    }
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
