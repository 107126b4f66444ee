<#
.SYNOPSIS
  Undoes an azrdpfix run: replays C:\ProgramData\azrdpfix\backup\<RunId>\journal.jsonl backwards and restores each
  backed-up value, ACL, certificate, folder, service start type and firewall setting.
.PARAMETER RunId
  The run to undo (its id is printed in every azrdpfix report).
.NOTES
  Why: every repair step journals each change before making it, so even a run that stopped midway can be undone.
  Each entry is restored only if the current state still differs from the journaled one, so rollback is idempotent.
  Service restarts, the clock resync and the policy refresh cannot be undone; they are reported as findings.
  A restart of the VM completes the rollback of ACL, TLS and NLA changes.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId
)
$ErrorActionPreference = 'Stop'

#region azrdpfix-helpers
# Master copy: templates/common/helpers.ps1. Every template carries this region verbatim (a test enforces it), because
# Run Command sends one self-contained script and nothing may be fetched or dot-sourced on the VM.

function ConvertTo-AzrdpfixJson($Value) {
  # Compact, ASCII-only JSON: the marker line must survive any console code page.
  $json = ConvertTo-Json -InputObject $Value -Compress -Depth 8
  return [regex]::Replace($json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

function Get-AzrdpfixTime([datetime]$When = [datetime]::UtcNow) {
  return $When.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

function New-AzrdpfixResult([string]$Id) {
  $r = [ordered]@{ v = 1; id = $Id; status = 'noop' }
  $r.findings = New-Object System.Collections.Generic.List[object]
  $r.changes = New-Object System.Collections.Generic.List[object]
  $r.backups = New-Object System.Collections.Generic.List[object]
  $r.error = $null
  return $r
}

function Add-AzrdpfixFinding($Result, [string]$Id, [string]$Message) {
  $Result.findings.Add([ordered]@{ id = $Id; msg = (Get-AzrdpfixShort $Message 160) })
}

function Add-AzrdpfixChange($Result, [string]$What, $Before, $After) {
  $Result.changes.Add([ordered]@{ what = $What; before = (Get-AzrdpfixShort "$Before" 120); after = (Get-AzrdpfixShort "$After" 120) })
  $Result.status = 'changed'
}

function Get-AzrdpfixShort([string]$Text, [int]$Max) {
  if ($null -eq $Text) { return $null }
  $t = ($Text -replace '\s+', ' ').Trim()
  if ($t.Length -gt $Max) { $t = $t.Substring(0, $Max) }
  return $t
}

function Set-AzrdpfixFailed($Result, $ErrorRecord) {
  $Result.status = 'failed'
  $Result.error = Get-AzrdpfixShort $ErrorRecord.Exception.Message 300
}

function Write-AzrdpfixResult($Result) {
  # The one marker line; it is always the last stdout line because Run Command keeps only the last 4,096 bytes.
  Write-Output ('AZRDPFIX-RESULT ' + (ConvertTo-AzrdpfixJson $Result))
}

function Invoke-AzrdpfixNative([string]$File, [string[]]$Arguments, [switch]$AllowFailure) {
  # Native tools report failure only through the exit code, and their stderr must not become a terminating error.
  $ErrorActionPreference = 'Continue'
  $out = @(& $File @Arguments 2>&1 | ForEach-Object { "$_" })
  if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
    $last = $out | Where-Object { $_.Trim() } | Select-Object -Last 1
    throw ('{0} {1} failed with exit code {2}: {3}' -f $File, $Arguments[0], $LASTEXITCODE, $last)
  }
  return ,$out
}

function Initialize-AzrdpfixBackup([string]$RunId) {
  $root = Join-Path $env:ProgramData 'azrdpfix'
  $dir = Join-Path $root ('backup\' + $RunId)
  if (-not (Test-Path -LiteralPath $dir)) {
    New-Item -ItemType Directory -Path $dir -Force | Out-Null
    # Backups hold ACLs, registry values and certificates: SYSTEM and Administrators only, inherited by every run.
    Invoke-AzrdpfixNative 'icacls.exe' @($root, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F') | Out-Null
  }
  return $dir
}

function Add-AzrdpfixJournal([string]$Dir, [string]$Step, [System.Collections.IDictionary]$Entry) {
  # Appended before the change is made, so rollback can undo a run that stopped midway.
  $e = [ordered]@{ t = (Get-AzrdpfixTime); step = $Step }
  foreach ($k in $Entry.Keys) { $e[$k] = $Entry[$k] }
  $path = Join-Path $Dir 'journal.jsonl'
  [System.IO.File]::AppendAllText($path, (ConvertTo-AzrdpfixJson $e) + "`n", (New-Object System.Text.UTF8Encoding $false))
}

function Get-AzrdpfixRegValue([string]$Path, [string]$Name) {
  $key = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
  if ($null -eq $key -or @($key.GetValueNames()) -notcontains $Name) { return $null }
  return [ordered]@{ kind = $key.GetValueKind($Name).ToString(); value = $key.GetValue($Name, $null, 'DoNotExpandEnvironmentNames') }
}

function ConvertTo-AzrdpfixRegText($Reg) {
  if ($null -eq $Reg -or $null -eq $Reg.value) { return $null }
  if ($Reg.kind -eq 'Binary') { return (@($Reg.value | ForEach-Object { $_.ToString('X2') }) -join '') }
  if ($Reg.kind -eq 'MultiString') { return (@($Reg.value) -join '|') }
  return "$($Reg.value)"
}

function Backup-AzrdpfixRegKey([string]$Dir, [string]$Step, $Result, [string]$Path) {
  if (-not (Test-Path -LiteralPath $Path)) { return }
  $leaf = ($Path -replace '^.*\\', '') -replace '[^A-Za-z0-9.-]', '_'
  $file = Join-Path $Dir ('{0}-{1}.reg' -f $Step, $leaf)
  if (Test-Path -LiteralPath $file) { return }
  Invoke-AzrdpfixNative 'reg.exe' @('export', ($Path -replace '^HKLM:\\', 'HKLM\'), $file, '/y') | Out-Null
  $Result.backups.Add($file)
}

function Set-AzrdpfixRegValue([string]$Dir, [string]$Step, $Result, [string]$Path, [string]$Name, [string]$Kind, $Value) {
  $before = Get-AzrdpfixRegValue $Path $Name
  $keyExisted = Test-Path -LiteralPath $Path
  Backup-AzrdpfixRegKey $Dir $Step $Result $Path
  $kindBefore = $null
  if ($null -ne $before) { $kindBefore = $before.kind }
  Add-AzrdpfixJournal $Dir $Step ([ordered]@{ op = 'reg-set'; path = $Path; name = $Name; keyExisted = $keyExisted;
      existed = ($null -ne $before); kind = $kindBefore; before = (ConvertTo-AzrdpfixRegText $before); after = "$Value" })
  if (-not $keyExisted) { New-Item -Path $Path -Force | Out-Null }
  New-ItemProperty -LiteralPath $Path -Name $Name -PropertyType $Kind -Value $Value -Force | Out-Null
  Add-AzrdpfixChange $Result (($Path -replace '^.*\\', '') + '\' + $Name) (ConvertTo-AzrdpfixRegText $before) "$Value"
}

function Remove-AzrdpfixRegValue([string]$Dir, [string]$Step, $Result, [string]$Path, [string]$Name) {
  $before = Get-AzrdpfixRegValue $Path $Name
  if ($null -eq $before) { return }
  Backup-AzrdpfixRegKey $Dir $Step $Result $Path
  Add-AzrdpfixJournal $Dir $Step ([ordered]@{ op = 'reg-remove'; path = $Path; name = $Name; keyExisted = $true;
      existed = $true; kind = $before.kind; before = (ConvertTo-AzrdpfixRegText $before); after = $null })
  Remove-ItemProperty -LiteralPath $Path -Name $Name -Force
  Add-AzrdpfixChange $Result (($Path -replace '^.*\\', '') + '\' + $Name) (ConvertTo-AzrdpfixRegText $before) 'removed'
}

function Get-AzrdpfixMachineKeysPath {
  return (Join-Path $env:ProgramData 'Microsoft\Crypto\RSA\MachineKeys')
}

function Test-AzrdpfixGrantsRead([string]$Path, [string[]]$Sids) {
  # True when one of $Sids is allowed to read the file or folder and none of them is denied.
  $allowed = $false
  foreach ($ace in (Get-Acl -LiteralPath $Path).Access) {
    $sid = $null
    try { $sid = $ace.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value } catch { continue }
    if ($Sids -notcontains $sid) { continue }
    if (($ace.FileSystemRights -band [System.Security.AccessControl.FileSystemRights]::ReadData) -eq 0) { continue }
    if ($ace.AccessControlType -eq 'Deny') { return $false }
    $allowed = $true
  }
  return $allowed
}

function Test-AzrdpfixMachineKeysGrants([string]$Path) {
  # The state Microsoft's documented reset leaves: SYSTEM F, NETWORK SERVICE R, Administrators F, no deny entries.
  $need = @{ 'S-1-5-18' = 'FullControl'; 'S-1-5-20' = 'Read'; 'S-1-5-32-544' = 'FullControl' }
  $seen = @{}
  foreach ($ace in (Get-Acl -LiteralPath $Path).Access) {
    $sid = $null
    try { $sid = $ace.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value } catch { continue }
    if ($ace.AccessControlType -eq 'Deny') { return $false }
    if ($need.ContainsKey($sid)) {
      $want = [System.Security.AccessControl.FileSystemRights]$need[$sid]
      if (($ace.FileSystemRights -band $want) -eq $want) { $seen[$sid] = $true }
    }
  }
  return ($seen.Count -eq $need.Count)
}

function Get-AzrdpfixKeyState($Cert) {
  # hasKey, keyReadable (by TermService's NETWORK SERVICE account, judged from the key file ACL) and opens (SYSTEM).
  $state = [ordered]@{ hasKey = [bool]$Cert.HasPrivateKey; keyReadable = $false; opens = $false; keyFile = $null }
  if (-not $Cert.HasPrivateKey) { return $state }
  try {
    $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Cert)
    if ($null -eq $rsa) { return $state }
    $state.opens = $true
    $name = $null
    if ($rsa -is [System.Security.Cryptography.RSACryptoServiceProvider]) { $name = $rsa.CspKeyContainerInfo.UniqueKeyContainerName }
    elseif ($rsa -is [System.Security.Cryptography.RSACng]) { $name = $rsa.Key.UniqueName }
    $state.keyReadable = $true
    if ($name) {
      foreach ($dir in @((Get-AzrdpfixMachineKeysPath), (Join-Path $env:ProgramData 'Microsoft\Crypto\Keys'))) {
        $file = Join-Path $dir $name
        if (Test-Path -LiteralPath $file) {
          $state.keyFile = $file
          # NETWORK SERVICE, Everyone, Authenticated Users: any of them lets TermService read the key.
          $state.keyReadable = Test-AzrdpfixGrantsRead $file @('S-1-5-20', 'S-1-1-0', 'S-1-5-11')
          break
        }
      }
    }
  } catch {
    $state.keyReadable = $false
  }
  return $state
}
#endregion azrdpfix-helpers

function Restore-RegEntry($Result, $E) {
  $current = ConvertTo-AzrdpfixRegText (Get-AzrdpfixRegValue $E.path $E.name)
  if (-not $E.existed) {
    if ($null -ne $current) {
      Remove-ItemProperty -LiteralPath $E.path -Name $E.name -Force
      Add-AzrdpfixChange $Result (($E.path -replace '^.*\\', '') + '\' + $E.name) $current 'removed'
    }
    $key = Get-Item -LiteralPath $E.path -ErrorAction SilentlyContinue
    if (-not $E.keyExisted -and $key -and $key.ValueCount -eq 0 -and $key.SubKeyCount -eq 0) { Remove-Item -LiteralPath $E.path }
    return
  }
  if ($current -eq $E.before) { return }
  $value = $E.before
  if ($E.kind -eq 'Binary') {
    $value = [byte[]](@(for ($i = 0; $i -lt $E.before.Length; $i += 2) { [Convert]::ToByte($E.before.Substring($i, 2), 16) }))
  } elseif ($E.kind -eq 'DWord') {
    $value = [int]$E.before
  } elseif ($E.kind -eq 'QWord') {
    $value = [long]$E.before
  } elseif ($E.kind -eq 'MultiString') {
    $value = [string[]]($E.before -split '\|')
  }
  if (-not (Test-Path -LiteralPath $E.path)) { New-Item -Path $E.path -Force | Out-Null }
  New-ItemProperty -LiteralPath $E.path -Name $E.name -PropertyType $E.kind -Value $value -Force | Out-Null
  Add-AzrdpfixChange $Result (($E.path -replace '^.*\\', '') + '\' + $E.name) $current $E.before
}

function Restore-Entry($Result, $E) {
  switch ($E.op) {
    'reg-set' { Restore-RegEntry $Result $E }
    'reg-remove' { Restore-RegEntry $Result $E }
    'acl' {
      # icacls /restore takes the parent folder: the saved names are relative to it.
      Invoke-AzrdpfixNative 'icacls.exe' @($E.parent, '/restore', $E.aclFile, '/c', '/q') -AllowFailure | Out-Null
      $owners = $null
      if ($E.ownersFile -and (Test-Path -LiteralPath $E.ownersFile)) { $owners = Get-Content -LiteralPath $E.ownersFile -Raw | ConvertFrom-Json }
      if ($owners) {
        $leaf = Split-Path -Leaf $E.path
        foreach ($p in $owners.PSObject.Properties) {
          if (-not $p.Value) { continue }
          $target = $E.path
          if ($p.Name -ne $leaf) { $target = Join-Path $E.path $p.Name }
          if (Test-Path -LiteralPath $target) { Invoke-AzrdpfixNative 'icacls.exe' @($target, '/setowner', ('*' + $p.Value), '/c', '/q') -AllowFailure | Out-Null }
        }
      }
      Add-AzrdpfixChange $Result 'MachineKeys ACL' (Get-Acl -LiteralPath $E.path).Sddl $E.sddlBefore
    }
    'cert-remove' {
      $storePath = 'Cert:\LocalMachine\' + $E.store + '\' + $E.tp
      if (Test-Path -LiteralPath $storePath) { return }
      $file = $E.cer
      $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]'MachineKeySet,PersistKeySet'
      if ($E.pfx -and (Test-Path -LiteralPath $E.pfx)) { $file = $E.pfx }
      $cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($file, [string]$null, $flags)
      $store = New-Object System.Security.Cryptography.X509Certificates.X509Store($E.store, 'LocalMachine')
      $store.Open('ReadWrite')
      try { $store.Add($cert) } finally { $store.Close() }
      Add-AzrdpfixChange $Result ('certificate ' + $E.tp) 'deleted' ('restored from ' + (Split-Path -Leaf $file))
    }
    'rename' {
      if (-not (Test-Path -LiteralPath $E.to)) { return }
      if (Test-Path -LiteralPath $E.from) {
        # Keep what was created since the rename (for example the agent's new transport key) beside it.
        Rename-Item -LiteralPath $E.from -NewName ((Split-Path -Leaf $E.from) + '.azrdpfix-rollback-' + $RunId)
      }
      Rename-Item -LiteralPath $E.to -NewName (Split-Path -Leaf $E.from)
      Add-AzrdpfixChange $Result 'MachineKeys folder' 'fresh folder' ('restored from ' + (Split-Path -Leaf $E.to))
    }
    'service-start' {
      $svc = Get-Service -Name $E.name
      if ("$($svc.StartType)" -ne $E.before) {
        Set-Service -Name $E.name -StartupType $E.before
        Add-AzrdpfixChange $Result ($E.name + ' start type') "$($svc.StartType)" $E.before
      }
    }
    'fw-rule' {
      $rule = Get-NetFirewallRule -Name $E.name -ErrorAction SilentlyContinue
      if ($rule -and "$($rule.Enabled)" -ne $E.before) {
        Set-NetFirewallRule -Name $E.name -Enabled $E.before
        Add-AzrdpfixChange $Result ('rule ' + $E.name) "$($rule.Enabled)" $E.before
      }
    }
    'fw-profile' {
      $p = Get-NetFirewallProfile -Name $E.name
      if ("$($p.AllowInboundRules)" -ne $E.before) {
        Set-NetFirewallProfile -Name $E.name -AllowInboundRules $E.before
        Add-AzrdpfixChange $Result ('profile ' + $E.name + ' inbound rules') "$($p.AllowInboundRules)" $E.before
      }
    }
    default {
      # service-restart, service-state, time-resync, gpupdate: facts of the past, nothing to restore.
      Add-AzrdpfixFinding $Result 'not-reversible' ($E.step + ': ' + $E.op + ' cannot be undone')
    }
  }
}

$result = New-AzrdpfixResult 'rollback'
try {
  $journal = Join-Path $env:ProgramData ('azrdpfix\backup\' + $RunId + '\journal.jsonl')
  if (-not (Test-Path -LiteralPath $journal)) {
    Add-AzrdpfixFinding $result 'nothing-to-roll-back' "run $RunId made no change on this VM (no journal)"
  } else {
    $entries = @(Get-Content -LiteralPath $journal | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json })
    [array]::Reverse($entries)
    foreach ($e in $entries) { Restore-Entry $result $e }
    # Findings about steps that cannot be undone are collapsed: the line must fit the 4,096-byte window.
    if ($result.changes.Count -gt 12) {
      $n = $result.changes.Count
      $result.changes.RemoveRange(12, $n - 12)
      Add-AzrdpfixFinding $result 'changes-trimmed' "$n changes restored; the first 12 are listed"
    }
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
