#region azrdpfix-helpers
# The one copy. A template holds the line '# azrdpfix:helpers' where azrdpfix puts this region when it runs alone; a
# bundle defines it once. Run Command sends one self-contained script: nothing is fetched or dot-sourced on the VM.

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

function ConvertTo-AzrdpfixArgument([string]$Arg) {
  # One argument of a Windows command line, quoted the way the C runtime splits it again.
  if ($Arg -ne '' -and $Arg -notmatch '[\s"]') { return $Arg }
  return '"' + (($Arg -replace '(\\*)"', '$1$1\"') -replace '(\\+)$', '$1$1') + '"'
}

function Invoke-AzrdpfixNative([string]$File, [string[]]$Arguments, [switch]$AllowFailure, [int]$TimeoutSeconds = 300) {
  # Native tools report failure only through the exit code. Bounded and never interactive: standard input is closed
  # at once (a prompt reads end-of-file instead of waiting for an answer), and a tool still running after
  # $TimeoutSeconds is killed and reported. Returns the output lines; the exit code is in $script:AzrdpfixExitCode.
  $psi = New-Object System.Diagnostics.ProcessStartInfo
  $psi.FileName = $File
  $psi.Arguments = (@($Arguments | ForEach-Object { ConvertTo-AzrdpfixArgument $_ }) -join ' ')
  $psi.UseShellExecute = $false
  $psi.CreateNoWindow = $true
  $psi.RedirectStandardInput = $true
  $psi.RedirectStandardOutput = $true
  $psi.RedirectStandardError = $true
  $proc = [System.Diagnostics.Process]::Start($psi)
  $proc.StandardInput.Close()
  $stdout = $proc.StandardOutput.ReadToEndAsync()
  $stderr = $proc.StandardError.ReadToEndAsync()
  if (-not $proc.WaitForExit($TimeoutSeconds * 1000)) {
    try { $proc.Kill() } catch { $null = $_ }
    throw ('{0} {1} did not finish within {2} s and was stopped' -f $File, $Arguments[0], $TimeoutSeconds)
  }
  # A child the tool left running may still hold its output pipes: read what arrived within 10 s, no longer.
  $text = ''
  foreach ($task in @($stdout, $stderr)) {
    if ($task.Wait(10000)) { $text += $task.Result + "`n" }
  }
  $out = @($text -split "`r?`n" | Where-Object { $_.Trim() })
  $script:AzrdpfixExitCode = $proc.ExitCode
  if ($proc.ExitCode -ne 0 -and -not $AllowFailure) {
    $last = $out | Select-Object -Last 1
    throw ('{0} {1} failed with exit code {2}: {3}' -f $File, $Arguments[0], $proc.ExitCode, $last)
  }
  return ,$out
}

function Get-AzrdpfixServicePid([string]$Name) {
  try { return [int](Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $Name) -OperationTimeoutSec 20).ProcessId } catch { return $null }
}

function Wait-AzrdpfixService($Service, [string]$Status, [int]$TimeoutSeconds) {
  # ServiceController.WaitForStatus with a bound: a service that does not get there is reported with its state and PID.
  try {
    $Service.WaitForStatus($Status, [TimeSpan]::FromSeconds($TimeoutSeconds))
  } catch {
    $Service.Refresh()
    throw ('{0} is still {1} (PID {2}) after {3} s waiting for {4}' -f $Service.ServiceName, $Service.Status,
        (Get-AzrdpfixServicePid $Service.ServiceName), $TimeoutSeconds, $Status)
  }
}

function Start-AzrdpfixService([string]$Name, [int]$TimeoutSeconds = 60, [switch]$Restart) {
  # Start (or stop, then start) a service through the service controller, each wait bounded. The service cmdlets
  # wait forever on a pending service; a service already hung in a pending state is reported, never waited for
  # (a VM restart through Azure clears it). Returns the state before.
  $sc = Get-Service -Name $Name
  $before = "$($sc.Status)"
  if ($before -like '*Pending') {
    throw ('{0} is hung in {1} (PID {2}): not waiting for it; a VM restart through Azure clears it' -f $Name, $before,
        (Get-AzrdpfixServicePid $Name))
  }
  if ($before -eq 'Running' -and -not $Restart) { return $before }
  if ($before -eq 'Running') {
    # Stop() stops the running dependent services first (UmRdpService for TermService), each within 30 s.
    $sc.Stop()
    Wait-AzrdpfixService $sc 'Stopped' $TimeoutSeconds
  }
  $sc.Start()
  Wait-AzrdpfixService $sc 'Running' $TimeoutSeconds
  return $before
}

function Test-AzrdpfixOwnedFolder([string]$Path) {
  # Ours: a real folder (no junction or symlink), owned by SYSTEM or Administrators, and no entry for anyone else.
  $item = Get-Item -LiteralPath $Path -Force
  if (-not $item.PSIsContainer -or ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint)) { return $false }
  $acl = Get-Acl -LiteralPath $Path
  $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
  if (@('S-1-5-18', 'S-1-5-32-544') -notcontains $owner) { return $false }
  foreach ($ace in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
    if (@('S-1-5-18', 'S-1-5-32-544') -notcontains $ace.IdentityReference.Value) { return $false }
  }
  return $true
}

function Initialize-AzrdpfixBackup([string]$RunId) {
  # Backups hold ACLs, registry values and certificates. The root is created in one call with a protected descriptor
  # (SYSTEM and Administrators only, inherited by every run); a root or run folder someone else created or owns, or
  # a junction in its place, is refused: SYSTEM would otherwise write where that user points it.
  $root = Join-Path $env:ProgramData 'azrdpfix'
  $sddl = 'O:SYG:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)'
  foreach ($d in @($root, (Join-Path $root 'backup'), (Join-Path $root ('backup\' + $RunId)))) {
    if (Test-Path -LiteralPath $d) {
      if (-not (Test-AzrdpfixOwnedFolder $d)) {
        throw "$d exists but is not a folder that only SYSTEM and Administrators own and can open: refusing to write backups there"
      }
      continue
    }
    $ds = New-Object System.Security.AccessControl.DirectorySecurity
    $ds.SetSecurityDescriptorSddlForm($sddl)
    [System.IO.Directory]::CreateDirectory($d, $ds) | Out-Null
  }
  return (Join-Path $root ('backup\' + $RunId))
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

function Get-AzrdpfixLockPath {
  return (Join-Path $env:ProgramData 'azrdpfix\run.lock')
}

function Get-AzrdpfixLock {
  # The lock another run holds: {runId, kind, started}, or $null. Read-only.
  $path = Get-AzrdpfixLockPath
  if (-not (Test-Path -LiteralPath $path)) { return $null }
  $l = $null
  try { $l = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json } catch { $l = $null }
  $runId = $null; $kind = $null; $started = $null
  if ($l -and "$($l.runId)" -cmatch '^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$') { $runId = "$($l.runId)" }
  if ($l -and @('repair', 'rollback') -contains "$($l.kind)") { $kind = "$($l.kind)" }
  if ($l -and "$($l.started)" -match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$') { $started = "$($l.started)" }
  if ($null -eq $started) { $started = Get-AzrdpfixTime (Get-Item -LiteralPath $path -Force).LastWriteTimeUtc }
  return [ordered]@{ runId = $runId; kind = $kind; started = $started }
}

function Enter-AzrdpfixLock([string]$RunId, [string]$Kind) {
  # One run at a time: CreateNew fails if the file exists, atomically. The root is created as Initialize-AzrdpfixBackup
  # does (protected descriptor); a root someone else owns is refused there.
  $root = Join-Path $env:ProgramData 'azrdpfix'
  if (-not (Test-Path -LiteralPath $root)) {
    $ds = New-Object System.Security.AccessControl.DirectorySecurity
    $ds.SetSecurityDescriptorSddlForm('O:SYG:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)')
    [System.IO.Directory]::CreateDirectory($root, $ds) | Out-Null
  } elseif (-not (Test-AzrdpfixOwnedFolder $root)) {
    throw "$root exists but is not a folder that only SYSTEM and Administrators own and can open: refusing to write there"
  }
  $stream = $null
  try {
    $stream = [System.IO.File]::Open((Get-AzrdpfixLockPath), [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::Read)
  } catch [System.IO.IOException] {
    $held = Get-AzrdpfixLock
    throw ('locked: run {0} ({1}) holds the lock since {2}' -f $held.runId, $held.kind, $held.started)
  }
  $bytes = (New-Object System.Text.UTF8Encoding $false).GetBytes((ConvertTo-AzrdpfixJson ([ordered]@{ runId = $RunId; kind = $Kind; started = (Get-AzrdpfixTime) })))
  $stream.Write($bytes, 0, $bytes.Length)
  $stream.Close()
}

function Exit-AzrdpfixLock([string]$RunId) {
  # Released only by the run that holds it.
  $held = Get-AzrdpfixLock
  if ($held -and $held.runId -eq $RunId) { Remove-Item -LiteralPath (Get-AzrdpfixLockPath) -Force }
}

function Get-AzrdpfixMachineKeysPath {
  return (Join-Path $env:ProgramData 'Microsoft\Crypto\RSA\MachineKeys')
}

function Get-AzrdpfixRights($Ace) {
  # The ACE's rights with generic bits mapped to file rights (an icacls (GR) grant shows only GENERIC_READ).
  $r = [int64]$Ace.FileSystemRights -band 0xFFFFFFFF
  if ($r -band 0x80000000) { $r = $r -bor 0x120089 }
  if ($r -band 0x40000000) { $r = $r -bor 0x120116 }
  if ($r -band 0x20000000) { $r = $r -bor 0x1200A0 }
  if ($r -band 0x10000000) { $r = $r -bor 0x1F01FF }
  return $r
}

function Get-AzrdpfixAccess([string]$Path) {
  # Allowed and denied rights per SID, entries for one SID unioned (rights may be split over two entries).
  $allow = @{}
  $deny = @{}
  foreach ($ace in (Get-Acl -LiteralPath $Path).GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
    $sid = $ace.IdentityReference.Value
    $bits = Get-AzrdpfixRights $ace
    if ("$($ace.AccessControlType)" -eq 'Deny') { $deny[$sid] = [int64]$deny[$sid] -bor $bits } else { $allow[$sid] = [int64]$allow[$sid] -bor $bits }
  }
  return @{ allow = $allow; deny = $deny }
}

function Test-AzrdpfixGrantsRead([string]$Path, [string[]]$Sids) {
  # True when one of $Sids is allowed to read data and none of them is denied it; null when it cannot be told.
  try { $a = Get-AzrdpfixAccess $Path } catch { return $null }
  $allowed = $false
  foreach ($sid in $Sids) {
    if ([int64]$a.deny[$sid] -band 1) { return $false }
    if ([int64]$a.allow[$sid] -band 1) { $allowed = $true }
  }
  return $allowed
}

function Test-AzrdpfixMachineKeysGrants([string]$Path) {
  # The state Microsoft's documented reset leaves: SYSTEM F, NETWORK SERVICE R, Administrators F, and no deny entry
  # for an account that the key users rely on (an unrelated deny, e.g. for Guests, does not matter).
  $a = Get-AzrdpfixAccess $Path
  foreach ($sid in @('S-1-5-18', 'S-1-5-20', 'S-1-5-32-544', 'S-1-1-0', 'S-1-5-11', 'S-1-5-32-545')) {
    if ($a.deny.ContainsKey($sid)) { return $false }
  }
  return ((([int64]$a.allow['S-1-5-18'] -band 0x1F01FF) -eq 0x1F01FF) -and
      (([int64]$a.allow['S-1-5-20'] -band 0x120089) -eq 0x120089) -and
      (([int64]$a.allow['S-1-5-32-544'] -band 0x1F01FF) -eq 0x1F01FF))
}

function Get-AzrdpfixRdpKeyEntries([int]$Build) {
  # What healthy images hold on the RDP listener's key file (measured per build): SYSTEM full control, NETWORK
  # SERVICE read, and Administrators read up to 14393 or NT SERVICE\SessionEnv full control from 17763 on.
  $e = [ordered]@{ 'S-1-5-18' = 0x1F01FF; 'S-1-5-20' = 0x120089 }
  if ($Build -ge 17763) { $e['S-1-5-80-4022436659-1090538466-1613889075-870485073-3428993833'] = 0x1F01FF } else { $e['S-1-5-32-544'] = 0x120089 }
  return $e
}

function Get-AzrdpfixMissingKeyEntries([string]$File, [int]$Build) {
  # The build's entries the file lacks, as 'SID=rights' texts, and the deny entries that block them.
  $a = Get-AzrdpfixAccess $File
  $missing = New-Object System.Collections.Generic.List[object]
  $denies = New-Object System.Collections.Generic.List[object]
  $want = Get-AzrdpfixRdpKeyEntries $Build
  foreach ($sid in $want.Keys) {
    if (([int64]$a.allow[$sid] -band $want[$sid]) -ne $want[$sid]) { $missing.Add($sid) }
    if ([int64]$a.deny[$sid] -band $want[$sid]) { $denies.Add($sid) }
  }
  return @{ missing = $missing; denies = $denies }
}

function Get-AzrdpfixKeyState($Cert) {
  # hasKey; opens (SYSTEM can open the private key, RSA or ECDSA); the key file (CAPI MachineKeys or CNG Keys) and
  # provider; keyReadable (TermService's NETWORK SERVICE may read it, judged from the file ACL: NETWORK SERVICE,
  # Everyone, Authenticated Users, Users or SERVICE; null when it cannot be told).
  $state = [ordered]@{ hasKey = [bool]$Cert.HasPrivateKey; keyReadable = $false; opens = $false; keyFile = $null; provider = $null }
  if (-not $Cert.HasPrivateKey) { return $state }
  $state.keyReadable = $null
  try {
    $key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Cert)
    if ($null -eq $key) { $key = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($Cert) }
    if ($null -eq $key) { return $state }
    $state.opens = $true
    $name = $null
    if ($key -is [System.Security.Cryptography.RSACryptoServiceProvider]) {
      $name = $key.CspKeyContainerInfo.UniqueKeyContainerName
      $state.provider = 'CAPI'
    } elseif ($key.PSObject.Properties['Key']) {
      $name = $key.Key.UniqueName
      $state.provider = 'CNG'
    }
    if ($name) {
      $dirs = @((Get-AzrdpfixMachineKeysPath), (Join-Path $env:ProgramData 'Microsoft\Crypto\Keys'))
      if ($state.provider -eq 'CNG') { [array]::Reverse($dirs) }
      foreach ($dir in $dirs) {
        $file = Join-Path $dir $name
        if (Test-Path -LiteralPath $file) {
          $state.keyFile = $file
          $state.keyReadable = Test-AzrdpfixGrantsRead $file @('S-1-5-20', 'S-1-1-0', 'S-1-5-11', 'S-1-5-32-545', 'S-1-5-6')
          break
        }
      }
    }
  } catch {
    # SYSTEM cannot open the key: TermService cannot either.
    $state.opens = $false
    $state.keyReadable = $false
  }
  if ($state.hasKey -and -not $state.keyFile) {
    # The key did not open: find its container from the certificate's key provider info. certutil prints the unique
    # container name (hex hash, underscore, machine GUID: language-neutral), so a damaged key can be told from a
    # missing (orphaned) one.
    $storeName = 'Remote Desktop'
    if ($Cert.PSParentPath -and $Cert.PSParentPath -notmatch 'Remote Desktop$') { $storeName = 'My' }
    try {
      $dump = Invoke-AzrdpfixNative 'certutil.exe' @('-store', $storeName, $Cert.Thumbprint) -AllowFailure -TimeoutSeconds 30
      $m = [regex]::Match(($dump -join "`n"), '[0-9a-fA-F]{32}_[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}')
      if ($m.Success) {
        foreach ($dir in @((Get-AzrdpfixMachineKeysPath), (Join-Path $env:ProgramData 'Microsoft\Crypto\Keys'))) {
          $file = Join-Path $dir $m.Value
          if (Test-Path -LiteralPath $file) {
            $state.keyFile = $file
            $state.keyReadable = $false
            break
          }
        }
      }
    } catch { $state.keyFile = $null }
  }
  return $state
}

function Get-AzrdpfixListenerThumbprint {
  # The certificate the RDP listener really uses: Win32_TSGeneralSetting, else the registry binding, else null.
  $tp = $null
  try {
    $ts = Get-CimInstance -Namespace 'root\cimv2\TerminalServices' -ClassName Win32_TSGeneralSetting -Filter "TerminalName='RDP-tcp'" -OperationTimeoutSec 20
    if ($ts -and $ts.SSLCertificateSHA1Hash -match '^[0-9A-Fa-f]{40}$') { $tp = "$($ts.SSLCertificateSHA1Hash)".ToUpperInvariant() }
  } catch { $tp = $null }
  return $tp
}

#endregion azrdpfix-helpers
