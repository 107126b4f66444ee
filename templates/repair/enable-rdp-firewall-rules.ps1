<#
.SYNOPSIS
  Exports the firewall policy (netsh advfirewall export), then enables the inbound rules of the Remote Desktop group
  and, on an enabled profile that blocks all inbound traffic, lets inbound rules apply again.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: Microsoft Learn guest-os-firewall-blocking-inbound-traffic: netsh advfirewall firewall set rule
  group="Remote Desktop" new enable=yes, and firewallpolicy blockinbound,allowoutbound instead of blockinboundalways.
  The group is addressed by its resource id (@FirewallAPI.dll,-28752) so it works on every display language. Each rule
  and profile change is journaled so rollback can undo exactly that; the .wfw export is the full backup.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'enable-rdp-firewall-rules'
try {
  $rules = @(Get-NetFirewallRule -Group '@FirewallAPI.dll,-28752' -ErrorAction SilentlyContinue | Where-Object { "$($_.Direction)" -eq 'Inbound' })
  if ($rules.Count -eq 0) { throw 'the Remote Desktop firewall rule group is missing: recreate it (SetRDPPort adds a custom rule)' }
  # Only the user-mode rules RDP needs (TCP and UDP); Shadow and the other members of the group stay as they are.
  $off = @($rules | Where-Object { $_.Name -like 'RemoteDesktop-UserMode-In-*' -and "$($_.Enabled)" -ne 'True' })
  $others = @($rules | Where-Object { $_.Name -notlike 'RemoteDesktop-UserMode-In-*' -and "$($_.Enabled)" -ne 'True' })
  if ($others.Count -gt 0) { Add-AzrdpfixFinding $result 'other-rules-left-off' ('left disabled: ' + (@($others | ForEach-Object { $_.Name }) -join ',')) }
  $blocking = @(Get-NetFirewallProfile | Where-Object { "$($_.Enabled)" -eq 'True' -and "$($_.AllowInboundRules)" -eq 'False' })
  if ($off.Count -gt 0 -or $blocking.Count -gt 0) {
    $dir = Initialize-AzrdpfixBackup $RunId
    $wfw = Join-Path $dir 'firewall.wfw'
    if (-not (Test-Path -LiteralPath $wfw)) {
      Invoke-AzrdpfixNative 'netsh.exe' @('advfirewall', 'export', $wfw) | Out-Null
      $result.backups.Add($wfw)
    }
    foreach ($rule in $off) {
      Add-AzrdpfixJournal $dir 'enable-rdp-firewall-rules' ([ordered]@{ op = 'fw-rule'; name = $rule.Name; before = 'False'; after = 'True' })
      Enable-NetFirewallRule -Name $rule.Name
      Add-AzrdpfixChange $result ('rule ' + $rule.Name) 'disabled' 'enabled'
    }
    foreach ($p in $blocking) {
      Add-AzrdpfixJournal $dir 'enable-rdp-firewall-rules' ([ordered]@{ op = 'fw-profile'; name = $p.Name; before = 'False'; after = 'True' })
      Set-NetFirewallProfile -Name $p.Name -AllowInboundRules True
      Add-AzrdpfixChange $result ('profile ' + $p.Name + ' inbound rules') 'blocked' 'allowed'
    }
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
