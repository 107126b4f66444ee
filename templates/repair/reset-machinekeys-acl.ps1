<#
.SYNOPSIS
  Repairs the ACL of the MachineKeys folder itself when it blocks Windows from creating RDP keys: adds only the
  missing default entries (Everyone create/read 0x12019f, Administrators full control) and removes only the deny
  entries that block them, after saving the original SDDL. Key files are not touched unless Recursive is true.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.PARAMETER Recursive
  'true' applies Microsoft Learn's recursive reset instead (owner Administrators and SYSTEM F, NETWORK SERVICE R,
  Administrators F on the folder and every key file). It gives NETWORK SERVICE read on every machine private key,
  so azrdpfix sends it only behind an explicit flag. Default 'false'.
.NOTES
  Why: events 1057/1058 mean Windows cannot create or replace the RDP key in
  C:\ProgramData\Microsoft\Crypto\RSA\MachineKeys. A folder ACL that lacks the default entries is one cause; the key
  file of the listener is repaired on its own by repair-rdp-key-acl (Microsoft's win-fix-rdp-certificate measured the
  per-build entries and refuses the recursive reset, guest-repair.md 6.5). Nothing changes when the folder already
  lets Windows create keys. The saved SDDL (and for the recursive reset the icacls /save file and the owners) lets
  rollback restore the exact state. Owners are set with a SID (icacls /setowner), never with takeown's localized /d.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId,
  [Parameter(Mandatory = $false)][ValidatePattern('(?-i)^(true|false)$')][string]$Recursive
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'reset-machinekeys-acl'
try {
  $mk = Get-AzrdpfixMachineKeysPath
  if (-not (Test-Path -LiteralPath $mk -PathType Container)) { throw "$mk is missing: this needs the rename-machinekeys escalation" }
  $before = (Get-Acl -LiteralPath $mk).Sddl
  $blocking = @('S-1-1-0', 'S-1-5-18', 'S-1-5-20', 'S-1-5-32-544', 'S-1-5-11')
  $need = [ordered]@{ 'S-1-1-0' = 0x12019F; 'S-1-5-32-544' = 0x1F01FF }
  $a = Get-AzrdpfixAccess $mk
  $missing = @($need.Keys | Where-Object { ([int64]$a.allow[$_] -band $need[$_]) -ne $need[$_] })
  $denies = @($blocking | Where-Object { $a.deny.ContainsKey($_) })
  if ($Recursive -eq 'true') {
    $dir = Initialize-AzrdpfixBackup $RunId
    $aclFile = Join-Path $dir 'machinekeys.acl'
    # /c: a file SYSTEM cannot read must not stop the save of all the others; those are counted and reported.
    $saved = Invoke-AzrdpfixNative 'icacls.exe' @($mk, '/save', $aclFile, '/t', '/c', '/q') -AllowFailure
    if (-not (Test-Path -LiteralPath $aclFile)) { throw 'icacls /save wrote no backup; nothing was changed' }
    if ($script:AzrdpfixExitCode -ne 0) { Add-AzrdpfixFinding $result 'acl-save-incomplete' ("icacls /save: " + ($saved | Select-Object -Last 1)) }
    $result.backups.Add($aclFile)
    # One 'name<TAB>owner SID' line per entry: read line by line on rollback (no 2 MB ConvertFrom-Json limit).
    $ownersFile = Join-Path $dir 'machinekeys-owners.tsv'
    $lines = New-Object System.Collections.Generic.List[string]
    foreach ($item in @(Get-Item -LiteralPath $mk) + @(Get-ChildItem -LiteralPath $mk -Force -ErrorAction SilentlyContinue)) {
      try { $o = (Get-Acl -LiteralPath $item.FullName).GetOwner([System.Security.Principal.SecurityIdentifier]).Value } catch { continue }
      if ($o -ne 'S-1-5-32-544') { $lines.Add($item.Name + "`t" + $o) }
    }
    [System.IO.File]::WriteAllLines($ownersFile, $lines, (New-Object System.Text.UTF8Encoding $false))
    $result.backups.Add($ownersFile)
    Add-AzrdpfixJournal $dir 'reset-machinekeys-acl' ([ordered]@{ op = 'acl'; path = $mk; parent = (Split-Path -Parent $mk);
        aclFile = $aclFile; ownersFile = $ownersFile; sddlBefore = $before })
    Invoke-AzrdpfixNative 'icacls.exe' @($mk, '/setowner', '*S-1-5-32-544', '/t', '/c', '/q') -AllowFailure | Out-Null
    foreach ($sid in @('*S-1-5-18', '*S-1-5-20', '*S-1-5-32-544')) {
      Invoke-AzrdpfixNative 'icacls.exe' @($mk, '/remove:d', $sid, '/t', '/c', '/q') -AllowFailure | Out-Null
    }
    foreach ($grant in @('*S-1-5-18:(F)', '*S-1-5-20:(R)', '*S-1-5-32-544:(F)')) {
      Invoke-AzrdpfixNative 'icacls.exe' @($mk, '/grant', $grant, '/t', '/c', '/q') -AllowFailure | Out-Null
    }
    $unreadable = @(Get-ChildItem -LiteralPath $mk -Force -File -ErrorAction SilentlyContinue | Where-Object { -not (Test-AzrdpfixGrantsRead $_.FullName @('S-1-5-20')) }).Count
    if (-not (Test-AzrdpfixMachineKeysGrants $mk)) { throw 'the documented grants did not take effect on MachineKeys' }
    if ($unreadable -gt 0) { throw "$unreadable key files still deny NETWORK SERVICE read after the recursive reset" }
    Add-AzrdpfixChange $result 'MachineKeys ACL (recursive)' $before (Get-Acl -LiteralPath $mk).Sddl
  } elseif ($missing.Count -eq 0 -and $denies.Count -eq 0) {
    Add-AzrdpfixFinding $result 'acl-sound' 'the MachineKeys folder already lets Windows create keys; nothing to do'
  } else {
    $dir = Initialize-AzrdpfixBackup $RunId
    $sddlFile = Join-Path $dir 'machinekeys.sddl'
    [System.IO.File]::WriteAllText($sddlFile, $before, (New-Object System.Text.UTF8Encoding $false))
    $result.backups.Add($sddlFile)
    Add-AzrdpfixJournal $dir 'reset-machinekeys-acl' ([ordered]@{ op = 'sddl'; path = $mk; sddlBefore = $before })
    $item = Get-Item -LiteralPath $mk -Force
    $acl = $item.GetAccessControl('Access')
    foreach ($rule in @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]))) {
      if ("$($rule.AccessControlType)" -eq 'Deny' -and $denies -contains $rule.IdentityReference.Value) { $acl.RemoveAccessRuleSpecific($rule) }
    }
    foreach ($sid in $missing) {
      $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule((New-Object System.Security.Principal.SecurityIdentifier $sid),
          [System.Security.AccessControl.FileSystemRights]$need[$sid], 'None', 'None', 'Allow')))
    }
    $item.SetAccessControl($acl)
    $after = (Get-Acl -LiteralPath $mk).Sddl
    $left = Get-AzrdpfixAccess $mk
    if (@($need.Keys | Where-Object { ([int64]$left.allow[$_] -band $need[$_]) -ne $need[$_] }).Count -gt 0) { throw 'the MachineKeys entries did not take effect' }
    Add-AzrdpfixChange $result 'MachineKeys folder ACL' $before $after
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
