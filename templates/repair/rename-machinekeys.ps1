<#
.SYNOPSIS
  Escalation: renames MachineKeys to MachineKeys.azrdpfix-<RunId> and creates a fresh, empty MachineKeys folder with
  the default ACL O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA).
.PARAMETER RunId
  The azrdpfix run id; names the backup folder and the renamed MachineKeys folder.
.NOTES
  Why: only for corrupt keys that the ACL reset cannot fix. No Microsoft document recommends it: it orphans every
  machine key (the guest agent's CRP transport certificate, custom RDP/TLS/WinRM and IIS keys). So it runs only behind
  --allow-machinekeys-rename, the renamed folder is the backup (rollback swaps it back), and azrdpfix reapplies the VM
  afterwards so the agent re-creates its transport certificate (guest-repair.md 2.6).
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'rename-machinekeys'
try {
  $mk = Get-AzrdpfixMachineKeysPath
  $renamed = $mk + '.azrdpfix-' + $RunId
  $default = 'O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)'
  if (Test-Path -LiteralPath $renamed) {
    # An earlier attempt of this run renamed the folder: make sure a fresh MachineKeys with the default ACL exists.
    Add-AzrdpfixFinding $result 'already-renamed' "MachineKeys was already renamed by run $RunId"
    if (-not (Test-Path -LiteralPath $mk)) {
      $acl = New-Object System.Security.AccessControl.DirectorySecurity
      $acl.SetSecurityDescriptorSddlForm($default)
      [System.IO.Directory]::CreateDirectory($mk, $acl) | Out-Null
      Add-AzrdpfixChange $result 'MachineKeys folder' 'missing' 'new empty folder, default ACL'
    }
  } else {
    $dir = Initialize-AzrdpfixBackup $RunId
    $existed = Test-Path -LiteralPath $mk
    # Which machine keys the rename orphans: the guest agent's transport certificate is the one that matters.
    $crp = @(Get-ChildItem -LiteralPath 'Cert:\LocalMachine\My' -ErrorAction SilentlyContinue |
        Where-Object { $_.Subject -like '*Windows Azure CRP Certificate Generator*' } | ForEach-Object { $_.Thumbprint })
    Add-AzrdpfixJournal $dir 'rename-machinekeys' ([ordered]@{ op = 'rename'; from = $mk; to = $renamed; existed = $existed;
        transportCerts = ($crp -join ',') })
    if ($existed) {
      Rename-Item -LiteralPath $mk -NewName (Split-Path -Leaf $renamed)
      $result.backups.Add($renamed)
    }
    # Created in one call with the default descriptor: no window with an inherited ACL.
    $acl = New-Object System.Security.AccessControl.DirectorySecurity
    $acl.SetSecurityDescriptorSddlForm($default)
    [System.IO.Directory]::CreateDirectory($mk, $acl) | Out-Null
    $now = (Get-Acl -LiteralPath $mk).Sddl
    if ($now -ne $default) { Add-AzrdpfixFinding $result 'acl-not-default' "the new MachineKeys has $now" }
    Add-AzrdpfixChange $result 'MachineKeys folder' $(if ($existed) { 'renamed to ' + (Split-Path -Leaf $renamed) } else { 'missing' }) 'new empty folder, default ACL'
    Add-AzrdpfixFinding $result 'reapply-needed' 'reapply the VM so the guest agent re-creates its transport certificate'
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
