<#
.SYNOPSIS
  Turns off Network Level Authentication on the RDP listener: RDP-Tcp UserAuthentication=0. Weakens security.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: only for a VM whose NLA cannot work (domain controller unreachable, LSA cannot be contacted), as Microsoft's
  DisableNLA Run Command does, and only behind the explicit --allow-disable-nla flag. The old value is journaled:
  run rollback (or set UserAuthentication=1) as soon as the VM is reachable again. SecurityLayer is never changed.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'disable-nla'
try {
  $rdpTcp = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp'
  $policy = Get-AzrdpfixRegValue 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' 'UserAuthentication'
  $current = Get-AzrdpfixRegValue $rdpTcp 'UserAuthentication'
  if ($null -ne $policy) {
    # While a policy value exists, Terminal Services uses it: the local value would change nothing.
    Add-AzrdpfixFinding $result 'gpo-controls-value' ('policy sets UserAuthentication=' + $policy.value + ': change the GPO; the local value is left alone')
  } elseif ($null -ne $current -and "$($current.value)" -eq '0') {
    Add-AzrdpfixFinding $result 'nla-already-off' 'UserAuthentication is already 0'
  } else {
    $dir = Initialize-AzrdpfixBackup $RunId
    Set-AzrdpfixRegValue $dir 'disable-nla' $result $rdpTcp 'UserAuthentication' 'DWord' 0
    Add-AzrdpfixFinding $result 'nla-disabled' 'NLA is off: re-enable it (rollback) once you can sign in'
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
