<#
.SYNOPSIS
  Reads everything azrdpfix needs to explain why RDP fails and prints it as one facts object. Changes nothing.
.DESCRIPTION
  RDP certificates in Cert:\LocalMachine\Remote Desktop (and a bound certificate in My), the SSLCertificateSHA1Hash
  binding, the MachineKeys ACL and the readability of the RDP key, TermService/SessionEnv/w32time, who listens on the
  RDP port, the Terminal Server registry values (local and policy), SCHANNEL TLS server keys, FIPS, the Remote Desktop
  firewall rules, 24 hours of the System events 1057/1058/36870/36871/36872/7022, and the MTU. See templates/CONTRACT.md.
.NOTES
  Why: Run Command returns no exit code and only the last 4,096 bytes of stdout, so all facts travel in one compact
  JSON marker line; each fact is read on its own so that one unreadable value gives null, not a failed diagnosis.
#>
param()
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

function Get-Safe([scriptblock]$Body) {
  # One unreadable fact must not hide all others: it becomes null.
  try { return (& $Body) } catch { return $null }
}

$result = New-AzrdpfixResult 'diagnose'
try {
  $ts = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server'
  $rdpTcp = "$ts\WinStations\RDP-Tcp"
  $tsPolicy = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
  $now = Get-Date
  $facts = [ordered]@{ time = (Get-AzrdpfixTime) }

  $facts.os = Get-Safe {
    $o = Get-CimInstance -ClassName Win32_OperatingSystem
    [ordered]@{ caption = (Get-AzrdpfixShort $o.Caption 64); build = "$($o.BuildNumber)" }
  }
  $facts.domain = Get-Safe {
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    $name = $null
    if ($cs.PartOfDomain) { $name = Get-AzrdpfixShort $cs.Domain 64 }
    [ordered]@{ joined = [bool]$cs.PartOfDomain; name = $name }
  }

  # The binding first: the certificate list also carries a bound certificate that lives in My.
  $bindingTp = Get-Safe { ConvertTo-AzrdpfixRegText (Get-AzrdpfixRegValue $rdpTcp 'SSLCertificateSHA1Hash') }
  $rdCerts = @(Get-Safe { Get-ChildItem -LiteralPath 'Cert:\LocalMachine\Remote Desktop' | Sort-Object NotAfter -Descending })
  $rdCerts = @($rdCerts | Where-Object { $null -ne $_ })
  $boundCert = $null
  if ($bindingTp) {
    $boundCert = $rdCerts | Where-Object { $_.Thumbprint -eq $bindingTp } | Select-Object -First 1
    if ($null -eq $boundCert) { $boundCert = Get-Safe { Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $bindingTp) } }
  }
  $facts.binding = [ordered]@{ tp = $bindingTp; found = $null }
  if ($bindingTp) { $facts.binding.found = ($null -ne $boundCert) }

  $certs = New-Object System.Collections.Generic.List[object]
  $keyOfInUse = $null
  # At most 4 Remote Desktop certificates (newest first) keep the marker line well under 4,096 bytes.
  $listed = @($rdCerts | Select-Object -First 4)
  if ($boundCert -and ($listed | Where-Object { $_.Thumbprint -eq $boundCert.Thumbprint }).Count -eq 0) { $listed += $boundCert }
  foreach ($c in $listed) {
    $k = Get-AzrdpfixKeyState $c
    $store = 'Remote Desktop'
    if ($c.PSParentPath -and $c.PSParentPath -notmatch 'Remote Desktop$') { $store = 'My' }
    $certs.Add([ordered]@{ tp = $c.Thumbprint; subject = (Get-AzrdpfixShort $c.Subject 64);
        notBefore = (Get-AzrdpfixTime $c.NotBefore); notAfter = (Get-AzrdpfixTime $c.NotAfter);
        selfSigned = ($c.Subject -eq $c.Issuer); hasKey = $k.hasKey; keyReadable = $k.keyReadable; store = $store })
  }
  $facts.certs = $certs
  $facts.certCount = $rdCerts.Count

  # The certificate the listener uses: the bound one, else the newest one in Remote Desktop.
  $inUse = $boundCert
  if ($null -eq $inUse -and $rdCerts.Count -gt 0) { $inUse = $rdCerts[0] }
  if ($inUse) { $keyOfInUse = Get-AzrdpfixKeyState $inUse }

  $mkPath = Get-AzrdpfixMachineKeysPath
  $mk = [ordered]@{ sddl = $null; isDefault = $false; grantsOk = $false; rdpKeyReadable = $null; corrupt = $false }
  if (-not (Test-Path -LiteralPath $mkPath -PathType Container)) {
    $mk.corrupt = $true
  } else {
    $mk.sddl = Get-Safe { Get-AzrdpfixShort (Get-Acl -LiteralPath $mkPath).Sddl 200 }
    $mk.isDefault = ($mk.sddl -eq 'O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)')
    $mk.grantsOk = [bool](Get-Safe { Test-AzrdpfixMachineKeysGrants $mkPath })
    if ($keyOfInUse) {
      $mk.rdpKeyReadable = $keyOfInUse.keyReadable
      # A key that SYSTEM cannot open although the folder ACL is sound is damaged, not merely locked out.
      if ($keyOfInUse.hasKey -and -not $keyOfInUse.opens -and ($mk.isDefault -or $mk.grantsOk)) { $mk.corrupt = $true }
    }
  }
  $facts.machineKeys = $mk

  $services = [ordered]@{}
  foreach ($name in @('TermService', 'SessionEnv', 'w32time')) {
    $services[$name] = Get-Safe {
      $s = Get-Service -Name $name
      $w = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $name)
      [ordered]@{ state = "$($s.Status)"; start = "$($s.StartType)"; account = $w.StartName }
    }
  }
  $facts.services = $services

  $port = Get-Safe { (Get-AzrdpfixRegValue $rdpTcp 'PortNumber').value }
  $facts.listener = [ordered]@{ port = $port; process = $null; service = $null }
  if ($port) {
    $conn = Get-Safe { Get-NetTCPConnection -State Listen -LocalPort $port -ErrorAction SilentlyContinue | Select-Object -First 1 }
    if ($conn) {
      $owner = [int]$conn.OwningProcess
      $facts.listener.process = Get-Safe { (Get-Process -Id $owner).ProcessName }
      $svcNames = @(Get-Safe { Get-CimInstance -ClassName Win32_Service -Filter ("ProcessId={0}" -f $owner) | ForEach-Object { $_.Name } })
      $svcNames = @($svcNames | Where-Object { $_ })
      if ($svcNames -contains 'TermService') { $facts.listener.service = 'TermService' }
      elseif ($svcNames.Count -gt 0) { $facts.listener.service = $svcNames[0] }
    }
  }

  $reg = [ordered]@{}
  $reg.fDenyTSConnections = Get-Safe { (Get-AzrdpfixRegValue $ts 'fDenyTSConnections').value }
  $reg.policyDenyTSConnections = Get-Safe { (Get-AzrdpfixRegValue $tsPolicy 'fDenyTSConnections').value }
  foreach ($n in @('PortNumber', 'SecurityLayer', 'UserAuthentication', 'MinEncryptionLevel', 'fEnableWinStation')) {
    $reg[$n] = Get-Safe { (Get-AzrdpfixRegValue $rdpTcp $n).value }
  }
  $facts.registry = $reg

  $gpo = New-Object System.Collections.Generic.List[object]
  foreach ($n in @('fDenyTSConnections', 'UserAuthentication', 'SecurityLayer', 'MinEncryptionLevel', 'PortNumber')) {
    if ($null -ne (Get-Safe { Get-AzrdpfixRegValue $tsPolicy $n })) { $gpo.Add($n) }
  }
  $facts.gpo = $gpo

  $tls = [ordered]@{}
  foreach ($v in @('1.0', '1.1', '1.2')) {
    $tls[$v] = Get-Safe { (Get-AzrdpfixRegValue "HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS $v\Server" 'Enabled').value }
  }
  $facts.tls = $tls
  $facts.fips = Get-Safe { (Get-AzrdpfixRegValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\FIPSAlgorithmPolicy' 'Enabled').value }

  $facts.firewall = Get-Safe {
    $profiles = [ordered]@{}
    $rules = [ordered]@{}
    $block = $false
    # '@FirewallAPI.dll,-28752' is the Remote Desktop group on every display language.
    $rdp = @(Get-NetFirewallRule -Group '@FirewallAPI.dll,-28752' -ErrorAction SilentlyContinue |
        Where-Object { "$($_.Direction)" -eq 'Inbound' -and "$($_.Action)" -eq 'Allow' -and "$($_.Enabled)" -eq 'True' })
    foreach ($p in (Get-NetFirewallProfile)) {
      $on = "$($p.Enabled)" -eq 'True'
      $profiles[$p.Name] = $on
      if ($on -and "$($p.AllowInboundRules)" -eq 'False') { $block = $true }
      $pname = $p.Name
      $rules[$pname] = (@($rdp | Where-Object { "$($_.Profile)" -eq 'Any' -or "$($_.Profile)" -match $pname }).Count -gt 0)
    }
    $active = New-Object System.Collections.Generic.List[object]
    foreach ($cp in @(Get-NetConnectionProfile -ErrorAction SilentlyContinue)) {
      $cat = "$($cp.NetworkCategory)" -replace 'DomainAuthenticated', 'Domain'
      if (-not $active.Contains($cat)) { $active.Add($cat) }
    }
    [ordered]@{ profiles = $profiles; rdpRules = $rules; blockInbound = $block; active = $active }
  }

  $events = [ordered]@{ '1057' = 0; '1058' = 0; '36870' = 0; '36871' = 0; '36872' = 0; '7022' = 0 }
  $counted = Get-Safe {
    Get-WinEvent -MaxEvents 5000 -ErrorAction SilentlyContinue -FilterHashtable @{ LogName = 'System';
        Id = @(1057, 1058, 36870, 36871, 36872, 7022); StartTime = $now.AddHours(-24) } | Group-Object Id
  }
  $tsDisplay = Get-Safe { (Get-Service -Name 'TermService').DisplayName }
  foreach ($g in @($counted | Where-Object { $_ })) {
    # 7022 ("... service hung on starting") counts only for TermService; its first insert is the display name.
    if ($g.Name -eq '7022') {
      $events['7022'] = @($g.Group | Where-Object { "$($_.Properties[0].Value)" -eq $tsDisplay }).Count
    } elseif ($events.Contains($g.Name)) {
      $events[$g.Name] = $g.Count
    }
  }
  $facts.events = $events

  $facts.mtu = Get-Safe {
    $route = Get-NetRoute -DestinationPrefix '0.0.0.0/0' -ErrorAction SilentlyContinue | Sort-Object RouteMetric | Select-Object -First 1
    if ($route) { [int](Get-NetIPInterface -InterfaceIndex $route.ifIndex -AddressFamily IPv4).NlMtu } else { $null }
  }

  $result.facts = $facts
  $result.status = 'ok'
  # Belt and braces for the 4,096-byte window: drop certificates (oldest last in the list) until the line fits.
  while ((ConvertTo-AzrdpfixJson $result).Length -gt 3600 -and $certs.Count -gt 1) { $certs.RemoveAt($certs.Count - 1) }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
