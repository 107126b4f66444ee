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
