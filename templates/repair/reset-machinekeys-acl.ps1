<#
.SYNOPSIS
  Saves the MachineKeys ACL with icacls /save, then applies Microsoft's documented owner and grants: takeown by
  Administrators, SYSTEM F, NETWORK SERVICE R, Administrators F on the folder and every key file.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.NOTES
  Why: events 1057/1058/36870 mean TermService cannot read the RDP private key in
  C:\ProgramData\Microsoft\Crypto\RSA\MachineKeys (Microsoft Learn troubleshoot-rdp-internal-error step 4 and
  event-id-troubleshoot-vm-rdp-connecton scenario 1). Nothing changes when the ACL is the default
  (O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)) or already has the documented grants. The saved ACL file and the
  previous owners let rollback restore the exact state. A restart of the VM completes the fix.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'reset-machinekeys-acl'
try {
  $mk = Get-AzrdpfixMachineKeysPath
  if (-not (Test-Path -LiteralPath $mk -PathType Container)) { throw "$mk is missing: this needs the rename-machinekeys escalation" }
  $before = (Get-Acl -LiteralPath $mk).Sddl
  if ($before -eq 'O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)') {
    Add-AzrdpfixFinding $result 'acl-default' 'MachineKeys has the default ACL; nothing to do'
  } elseif (Test-AzrdpfixMachineKeysGrants $mk) {
    Add-AzrdpfixFinding $result 'acl-documented' 'MachineKeys already has SYSTEM F, NETWORK SERVICE R, Administrators F'
  } else {
    $dir = Initialize-AzrdpfixBackup $RunId
    $aclFile = Join-Path $dir 'machinekeys.acl'
    # /c: a file SYSTEM cannot read must not stop the save of all the others.
    Invoke-AzrdpfixNative 'icacls.exe' @($mk, '/save', $aclFile, '/t', '/c') -AllowFailure | Out-Null
    if (-not (Test-Path -LiteralPath $aclFile)) { throw 'icacls /save wrote no backup; nothing was changed' }
    $result.backups.Add($aclFile)
    $owners = [ordered]@{}
    foreach ($item in @(Get-Item -LiteralPath $mk) + @(Get-ChildItem -LiteralPath $mk -Force -ErrorAction SilentlyContinue)) {
      try { $owners[$item.Name] = (Get-Acl -LiteralPath $item.FullName).GetOwner([System.Security.Principal.SecurityIdentifier]).Value } catch { $owners[$item.Name] = $null }
    }
    $ownersFile = Join-Path $dir 'machinekeys-owners.json'
    [System.IO.File]::WriteAllText($ownersFile, (ConvertTo-AzrdpfixJson $owners), (New-Object System.Text.UTF8Encoding $false))
    $result.backups.Add($ownersFile)
    Add-AzrdpfixJournal $dir 'reset-machinekeys-acl' ([ordered]@{ op = 'acl'; path = $mk; parent = (Split-Path -Parent $mk);
        aclFile = $aclFile; ownersFile = $ownersFile; sddlBefore = $before })
    Invoke-AzrdpfixNative 'takeown.exe' @('/f', $mk, '/a', '/r', '/d', 'Y') -AllowFailure | Out-Null
    foreach ($sid in @('*S-1-5-18', '*S-1-5-20', '*S-1-5-32-544')) {
      # A deny entry for these accounts would defeat the documented grants.
      Invoke-AzrdpfixNative 'icacls.exe' @($mk, '/remove:d', $sid, '/t', '/c', '/q') -AllowFailure | Out-Null
    }
    foreach ($grant in @('*S-1-5-18:(F)', '*S-1-5-20:(R)', '*S-1-5-32-544:(F)')) {
      Invoke-AzrdpfixNative 'icacls.exe' @($mk, '/grant', $grant, '/t', '/c', '/q') -AllowFailure | Out-Null
    }
    if (-not (Test-AzrdpfixMachineKeysGrants $mk)) { throw 'the documented grants did not take effect on MachineKeys' }
    Add-AzrdpfixChange $result 'MachineKeys ACL' $before (Get-Acl -LiteralPath $mk).Sddl
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
