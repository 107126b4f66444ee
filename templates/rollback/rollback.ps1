<#
.SYNOPSIS
  Undoes an azrdpfix run: replays C:\ProgramData\azrdpfix\backup\<RunId>\journal.jsonl backwards and restores each
  backed-up value, ACL, certificate, folder, service start type and firewall setting.
.PARAMETER RunId
  The run to undo (its id is printed in every azrdpfix report).
.NOTES
  Why: every repair step journals each change before making it, so even a run that stopped midway can be undone.
  Each entry is restored only if the current state still differs from the journaled one, so rollback is idempotent,
  and only if it still holds the value this run wrote: a later change is left alone (finding changed-since).
  One entry that cannot be restored is reported (rollback-entry-failed) and the older entries are still restored.
  Service restarts, the clock resync and the policy refresh cannot be undone; they are reported as findings. A
  restored certificate is re-linked to its kept key container (certutil -repairstore); after a MachineKeys rename is
  undone the keys created since are copied back in (robocopy, ACLs kept) and the VM needs a reapply.
  A restart of the VM completes the rollback of ACL, TLS and NLA changes.
  The journal lives on the machine that is broken and may have been tampered with: each entry is checked against what
  its operation may touch (registry values of the RDP, Terminal Server and SCHANNEL keys the steps change, files only
  in this run's backup folder, services and firewall rules from fixed sets, ACLs only of MachineKeys and its key
  files); anything else is reported (journal-entry-refused) and skipped. A run that is rolled back gets rolledback.json
  in its folder and is not replayed again (finding already-rolled-back) unless Force is true; Force also restores
  values that changed since the run (otherwise changed-since, left alone). It holds C:\ProgramData\azrdpfix\run.lock
  while it runs (released also on failure); a lock held by another run fails it before anything is restored.
.PARAMETER Force
  'true' to replay a run already rolled back and to overwrite values changed since the run.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId,
  [Parameter(Mandatory = $false)][ValidatePattern('(?-i)^(true|false)$')][string]$Force
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

function Test-ChangedSince($Result, $E, $Current) {
  # Restore only what still holds the value this run wrote: a later change (an admin, a GPO, another run) wins.
  if ($Force -eq 'true') { return $false }
  if ($null -ne $E.after -and "$Current" -ne "$($E.after)" -and "$Current" -ne "$($E.before)") {
    Add-AzrdpfixFinding $Result 'changed-since' ('{0} {1}: now {2}, this run set {3}; left alone' -f $E.step, $E.op, $Current, $E.after)
    return $true
  }
  return $false
}

function Test-Under([string]$Path, [string]$Dir) {
  # A path directly or deeper inside Dir, with no '..' segment, compared case-insensitively.
  if (-not $Path -or $Path -match '(^|\\)\.\.(\\|$)') { return $false }
  return $Path.StartsWith($Dir + '\', [System.StringComparison]::OrdinalIgnoreCase)
}

function Get-RefusalReason($E, [string]$BackupDir) {
  # The allow-list: what each journal operation may touch. $null when the entry is acceptable.
  $mk = Get-AzrdpfixMachineKeysPath
  $ts = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server'
  $regAllowed = @(
    @(('^' + [regex]::Escape($ts) + '$'), @('fDenyTSConnections', 'TSEnabled', 'TSUserEnabled', 'TSServerDrainMode')),
    @(('^' + [regex]::Escape($ts + '\WinStations\') + '[A-Za-z0-9#_ -]{1,64}$'), @('fEnableWinStation', 'fLogonDisabled', 'UserAuthentication', 'SSLCertificateSHA1Hash')),
    @('^HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1\.2\\Server$', @('Enabled', 'DisabledByDefault')))
  switch ("$($E.op)") {
    { $_ -in @('reg-set', 'reg-remove') } {
      $ok = $false
      foreach ($a in $regAllowed) { if ("$($E.path)" -match $a[0] -and $a[1] -contains "$($E.name)") { $ok = $true } }
      if (-not $ok) { return 'registry value outside the RDP, Terminal Server and SCHANNEL values the steps change' }
      if ($null -ne $E.kind -and @('DWord', 'String', 'Binary', 'QWord', 'MultiString', 'ExpandString') -notcontains "$($E.kind)") { return 'unknown registry kind' }
      return $null
    }
    'acl' {
      if ("$($E.path)" -ne $mk -or "$($E.parent)" -ne (Split-Path -Parent $mk)) { return 'ACL restore of something other than MachineKeys' }
      if (-not (Test-Under "$($E.aclFile)" $BackupDir)) { return 'ACL file outside this run''s backup folder' }
      if ($E.ownersFile -and -not (Test-Under "$($E.ownersFile)" $BackupDir)) { return 'owners file outside this run''s backup folder' }
      return $null
    }
    'sddl' {
      if ("$($E.path)" -eq $mk) { return $null }
      if ((Test-Under "$($E.path)" $mk) -and -not ("$($E.path)".Substring($mk.Length + 1).Contains('\'))) { return $null }
      return 'ACL restore outside MachineKeys and its key files'
    }
    'cert-remove' {
      if (@('Remote Desktop', 'My') -notcontains "$($E.store)" -or "$($E.tp)" -cnotmatch '^[0-9A-F]{40}$') { return 'certificate store or thumbprint not allowed' }
      if (-not (Test-Under "$($E.cer)" $BackupDir)) { return 'certificate file outside this run''s backup folder' }
      if ($E.pfx -and -not (Test-Under "$($E.pfx)" $BackupDir)) { return 'certificate file outside this run''s backup folder' }
      if ($E.keyContainer -and "$($E.keyContainer)" -notmatch '^[A-Za-z0-9_-]{1,128}$') { return 'key container name not allowed' }
      return $null
    }
    'rename' {
      if ("$($E.from)" -ne $mk -or "$($E.to)" -ne ($mk + '.azrdpfix-' + $RunId)) { return 'folder rename other than MachineKeys and its backup of this run' }
      return $null
    }
    'service-start' {
      if (@('TermService', 'SessionEnv', 'UmRdpService', 'w32time') -notcontains "$($E.name)") { return 'service not in the fixed set' }
      if (@('Automatic', 'Manual', 'Disabled') -notcontains "$($E.before)") { return 'start type not allowed' }
      return $null
    }
    'fw-rule' {
      if ("$($E.name)" -notmatch '^RemoteDesktop-[A-Za-z0-9-]{1,64}$' -or @('True', 'False') -notcontains "$($E.before)") { return 'firewall rule outside the Remote Desktop group' }
      return $null
    }
    'fw-profile' {
      if (@('Domain', 'Private', 'Public') -notcontains "$($E.name)" -or @('True', 'False', 'NotConfigured') -notcontains "$($E.before)") { return 'firewall profile or value not allowed' }
      return $null
    }
    { $_ -in @('service-restart', 'service-state', 'time-resync', 'gpupdate', 'end', 'lock-break') } { return $null }
    default { return 'unknown journal operation' }
  }
}

function Restore-RegEntry($Result, $E) {
  $current = ConvertTo-AzrdpfixRegText (Get-AzrdpfixRegValue $E.path $E.name)
  if (Test-ChangedSince $Result $E $current) { return }
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
      if ($script:AzrdpfixExitCode -ne 0) { Add-AzrdpfixFinding $Result 'acl-restore-incomplete' "icacls /restore exit $script:AzrdpfixExitCode" }
      $owners = @()
      if ($E.ownersFile -and (Test-Path -LiteralPath $E.ownersFile)) {
        if ($E.ownersFile -like '*.json') {
          $o = Get-Content -LiteralPath $E.ownersFile -Raw | ConvertFrom-Json
          foreach ($p in $o.PSObject.Properties) { if ($p.Value) { $owners += ,@($p.Name, $p.Value) } }
        } else {
          # One 'name<TAB>SID' line per entry, read line by line (no 2 MB ConvertFrom-Json limit).
          foreach ($line in (Get-Content -LiteralPath $E.ownersFile)) {
            $parts = $line -split "`t"
            if ($parts.Count -eq 2) { $owners += ,@($parts[0], $parts[1]) }
          }
        }
      }
      $leaf = Split-Path -Leaf $E.path
      foreach ($pair in $owners) {
        $target = $E.path
        if ($pair[0] -ne $leaf) { $target = Join-Path $E.path $pair[0] }
        if (Test-Path -LiteralPath $target) { Invoke-AzrdpfixNative 'icacls.exe' @($target, '/setowner', ('*' + $pair[1]), '/c', '/q') -AllowFailure | Out-Null }
      }
      $now = (Get-Acl -LiteralPath $E.path).Sddl
      if ($now -ne $E.sddlBefore) { Add-AzrdpfixFinding $Result 'acl-differs' ('MachineKeys ACL after restore: ' + $now) }
      Add-AzrdpfixChange $Result 'MachineKeys ACL' 'reset' $E.sddlBefore
    }
    'sddl' {
      if (-not (Test-Path -LiteralPath $E.path)) { Add-AzrdpfixFinding $Result 'acl-target-gone' "$($E.path) no longer exists"; return }
      $item = Get-Item -LiteralPath $E.path -Force
      $current = (Get-Acl -LiteralPath $E.path).Sddl
      if ($current -eq $E.sddlBefore) { return }
      $acl = $item.GetAccessControl('Access')
      $acl.SetSecurityDescriptorSddlForm($E.sddlBefore, 'Access')
      $item.SetAccessControl($acl)
      Add-AzrdpfixChange $Result ('ACL of ' + (Split-Path -Leaf $E.path)) $current $E.sddlBefore
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
      if ($E.keyContainer) {
        # The key container was kept: link the restored certificate to it again.
        Invoke-AzrdpfixNative 'certutil.exe' @('-repairstore', $E.store, $E.tp) -AllowFailure -TimeoutSeconds 60 | Out-Null
        if ($script:AzrdpfixExitCode -ne 0) { Add-AzrdpfixFinding $Result 'certificate-not-relinked' "$($E.tp): certutil -repairstore exit $script:AzrdpfixExitCode" }
      }
      Add-AzrdpfixChange $Result ('certificate ' + $E.tp) 'deleted' ('restored from ' + (Split-Path -Leaf $file))
    }
    'rename' {
      if (-not (Test-Path -LiteralPath $E.to)) { return }
      $aside = $null
      if (Test-Path -LiteralPath $E.from) {
        $aside = $E.from + '.azrdpfix-rollback-' + $RunId
        Rename-Item -LiteralPath $E.from -NewName (Split-Path -Leaf $aside)
      }
      Rename-Item -LiteralPath $E.to -NewName (Split-Path -Leaf $E.from)
      if ($aside) {
        # Keys created since the rename (the agent's new transport key, a new RDP key) come back in, ACLs kept;
        # files that exist in both are left as they were before the rename.
        Invoke-AzrdpfixNative 'robocopy.exe' @($aside, $E.from, '/copy:DATSO', '/xc', '/xn', '/xo', '/r:1', '/w:1', '/njh', '/njs', '/np') -AllowFailure -TimeoutSeconds 300 | Out-Null
        if ($script:AzrdpfixExitCode -ge 8) { Add-AzrdpfixFinding $Result 'keys-not-copied-back' "robocopy exit $script:AzrdpfixExitCode; the newer keys stay in $aside" }
      }
      Add-AzrdpfixFinding $Result 'reapply-needed' 'MachineKeys is back: reapply the VM so the guest agent checks its transport certificate'
      Add-AzrdpfixChange $Result 'MachineKeys folder' 'fresh folder' ('restored from ' + (Split-Path -Leaf $E.to))
    }
    'service-start' {
      $svc = Get-Service -Name $E.name
      if (Test-ChangedSince $Result $E "$($svc.StartType)") { return }
      if ("$($svc.StartType)" -ne $E.before) {
        Set-Service -Name $E.name -StartupType $E.before
        Add-AzrdpfixChange $Result ($E.name + ' start type') "$($svc.StartType)" $E.before
      }
    }
    'fw-rule' {
      $rule = Get-NetFirewallRule -Name $E.name -ErrorAction SilentlyContinue
      if ($rule -and (Test-ChangedSince $Result $E "$($rule.Enabled)")) { return }
      if ($rule -and "$($rule.Enabled)" -ne $E.before) {
        Set-NetFirewallRule -Name $E.name -Enabled $E.before
        Add-AzrdpfixChange $Result ('rule ' + $E.name) "$($rule.Enabled)" $E.before
      }
    }
    'fw-profile' {
      $p = Get-NetFirewallProfile -Name $E.name
      if (Test-ChangedSince $Result $E "$($p.AllowInboundRules)") { return }
      if ("$($p.AllowInboundRules)" -ne $E.before) {
        Set-NetFirewallProfile -Name $E.name -AllowInboundRules $E.before
        Add-AzrdpfixChange $Result ('profile ' + $E.name + ' inbound rules') "$($p.AllowInboundRules)" $E.before
      }
    }
    { $_ -in @('end', 'lock-break') } { }
    default {
      # service-restart, service-state, time-resync, gpupdate: facts of the past, nothing to restore.
      Add-AzrdpfixFinding $Result 'not-reversible' ($E.step + ': ' + $E.op + ' cannot be undone')
    }
  }
}

$result = New-AzrdpfixResult 'rollback'
$locked = $false
try {
  # One run at a time on a VM (the lock's run id is this rollback's target run).
  Enter-AzrdpfixLock $RunId 'rollback'
  $locked = $true
  $backupDir = Join-Path $env:ProgramData ('azrdpfix\backup\' + $RunId)
  $journal = Join-Path $backupDir 'journal.jsonl'
  $rolledBack = Join-Path $backupDir 'rolledback.json'
  if (-not (Test-Path -LiteralPath $journal)) {
    Add-AzrdpfixFinding $result 'nothing-to-roll-back' "run $RunId made no change on this VM (no journal)"
  } elseif ((Test-Path -LiteralPath $rolledBack) -and $Force -ne 'true') {
    Add-AzrdpfixFinding $result 'already-rolled-back' ("run $RunId was rolled back already (" + (Get-AzrdpfixShort (Get-Content -LiteralPath $rolledBack -Raw) 80) + '); not replayed')
  } else {
    $entries = @(Get-Content -LiteralPath $journal | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json })
    [array]::Reverse($entries)
    $failedEntries = 0
    foreach ($e in $entries) {
      $why = Get-RefusalReason $e $backupDir
      if ($why) {
        Add-AzrdpfixFinding $result 'journal-entry-refused' ('{0} {1}: {2}; skipped' -f $e.step, $e.op, $why)
        continue
      }
      # One entry that cannot be restored must not leave all older entries unrestored.
      try {
        Restore-Entry $result $e
      } catch {
        $failedEntries++
        Add-AzrdpfixFinding $result 'rollback-entry-failed' ($e.step + ' ' + $e.op + ': ' + $_.Exception.Message)
      }
    }
    # The line must fit the 4,096-byte window: changes, then findings, are collapsed until it does.
    if ($result.changes.Count -gt 12) {
      $n = $result.changes.Count
      $result.changes.RemoveRange(12, $n - 12)
      Add-AzrdpfixFinding $result 'changes-trimmed' "$n changes restored; the first 12 are listed"
    }
    while ((ConvertTo-AzrdpfixJson $result).Length -gt 3600 -and ($result.changes.Count + $result.findings.Count) -gt 1) {
      if ($result.changes.Count -gt 0) { $result.changes.RemoveAt($result.changes.Count - 1) } else { $result.findings.RemoveAt($result.findings.Count - 1) }
    }
    # The mark that this run is undone: list-runs shows it rolled back and a second rollback does not replay it.
    # A partial rollback is not marked, so rerunning it restores what is left.
    if ($failedEntries -eq 0) { [System.IO.File]::WriteAllText($rolledBack, (ConvertTo-AzrdpfixJson ([ordered]@{ t = (Get-AzrdpfixTime); failed = $failedEntries })), (New-Object System.Text.UTF8Encoding $false)) }
    if ($failedEntries -gt 0) { throw "$failedEntries journal entries could not be restored (see the findings)" }
  }
} catch {
  Set-AzrdpfixFailed $result $_
} finally {
  if ($locked) { Exit-AzrdpfixLock $RunId }
}
Write-AzrdpfixResult $result
