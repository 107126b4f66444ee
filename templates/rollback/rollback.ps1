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

# azrdpfix:helpers

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
