<#
.SYNOPSIS
  Reads everything azrdpfix needs to explain why RDP fails and prints it as one facts object. Changes nothing.
.DESCRIPTION
  RDP certificates in Cert:\LocalMachine\Remote Desktop (and a bound certificate in My), the SSLCertificateSHA1Hash
  binding, the certificate the listener really uses (Win32_TSGeneralSetting) with its key file and that file's ACL,
  the MachineKeys ACL, TermService/SessionEnv/w32time, who listens on the RDP port, active RDP sessions, the Terminal
  Server registry values (local and policy), SCHANNEL TLS server keys, FIPS, the firewall as it is in force (active
  store, block rules on the RDP port), 24 hours of the System events 1057/1058/36870/36871/36872/7022 of their own
  providers, the MTU, and the lock of a repair or rollback that holds the VM. See templates/CONTRACT.md.
.NOTES
  Why: Run Command returns no exit code and only the last 4,096 bytes of stdout, so all facts travel in one compact
  JSON marker line; each fact is read on its own so that one unreadable value gives null, not a failed diagnosis.
#>
param()
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

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
    $o = Get-CimInstance -ClassName Win32_OperatingSystem -OperationTimeoutSec 20
    [ordered]@{ caption = (Get-AzrdpfixShort $o.Caption 64); build = "$($o.BuildNumber)" }
  }
  $facts.domain = Get-Safe {
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem -OperationTimeoutSec 20
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

  # The certificate the listener really uses: Win32_TSGeneralSetting, else the binding, else the newest in Remote Desktop.
  $wmiTp = Get-AzrdpfixListenerThumbprint
  $inUse = $null
  $source = $null
  if ($wmiTp) {
    $inUse = $rdCerts | Where-Object { $_.Thumbprint -eq $wmiTp } | Select-Object -First 1
    if ($null -eq $inUse) { $inUse = Get-Safe { Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $wmiTp) } }
    if ($inUse) { $source = 'wmi' }
  }
  if ($null -eq $inUse -and $boundCert) { $inUse = $boundCert; $source = 'binding' }
  if ($null -eq $inUse -and $rdCerts.Count -gt 0) { $inUse = $rdCerts[0]; $source = 'newest' }
  if ($inUse) { $keyOfInUse = Get-AzrdpfixKeyState $inUse }
  $build = 0
  if ($facts.os) { $build = [int]$facts.os.build }

  $rdpKey = [ordered]@{ tp = $null; source = $source; provider = $null; file = $null; sddl = $null; missing = $null; opens = $null }
  if ($inUse) {
    $rdpKey.tp = $inUse.Thumbprint
    $rdpKey.provider = $keyOfInUse.provider
    $rdpKey.opens = $keyOfInUse.opens
    if ($keyOfInUse.keyFile) {
      $rdpKey.file = Split-Path -Leaf $keyOfInUse.keyFile
      $rdpKey.sddl = Get-Safe { Get-AzrdpfixShort (Get-Acl -LiteralPath $keyOfInUse.keyFile).Sddl 200 }
      $gap = Get-Safe { Get-AzrdpfixMissingKeyEntries $keyOfInUse.keyFile $build }
      if ($gap) { $rdpKey.missing = @(@($gap.missing) + @($gap.denies | ForEach-Object { 'deny:' + $_ })) }
    }
  }
  $facts.rdpKey = $rdpKey

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
      # Corrupt only when the key file's ACL lets SYSTEM read it and SYSTEM still cannot open the key.
      if ($keyOfInUse.hasKey -and -not $keyOfInUse.opens -and $keyOfInUse.keyFile -and
          (Get-Safe { Test-AzrdpfixGrantsRead $keyOfInUse.keyFile @('S-1-5-18', 'S-1-5-32-544') })) { $mk.corrupt = $true }
    }
  }
  $facts.machineKeys = $mk

  $services = [ordered]@{}
  foreach ($name in @('TermService', 'SessionEnv', 'w32time')) {
    $services[$name] = Get-Safe {
      $s = Get-Service -Name $name
      $w = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $name) -OperationTimeoutSec 20
      [ordered]@{ state = "$($s.Status)"; start = "$($s.StartType)"; account = $w.StartName }
    }
  }
  $facts.services = $services
  # Active RDP logon sessions: a TermService restart drops them.
  $facts.sessions = Get-Safe { @(Get-CimInstance -ClassName Win32_LogonSession -Filter 'LogonType=10' -OperationTimeoutSec 20).Count }

  $port = Get-Safe { (Get-AzrdpfixRegValue $rdpTcp 'PortNumber').value }
  $facts.listener = [ordered]@{ port = $port; process = $null; service = $null }
  if ($port) {
    $conn = Get-Safe { Get-NetTCPConnection -State Listen -LocalPort $port -ErrorAction SilentlyContinue | Select-Object -First 1 }
    if ($conn) {
      $owner = [int]$conn.OwningProcess
      $facts.listener.process = Get-Safe { (Get-Process -Id $owner).ProcessName }
      $svcNames = @(Get-Safe { Get-CimInstance -ClassName Win32_Service -Filter ("ProcessId={0}" -f $owner) -OperationTimeoutSec 20 | ForEach-Object { $_.Name } })
      $svcNames = @($svcNames | Where-Object { $_ })
      if ($svcNames -contains 'TermService') { $facts.listener.service = 'TermService' }
      elseif ($svcNames.Count -gt 0) { $facts.listener.service = $svcNames[0] }
    }
  }

  $reg = [ordered]@{}
  $reg.fDenyTSConnections = Get-Safe { (Get-AzrdpfixRegValue $ts 'fDenyTSConnections').value }
  $reg.policyDenyTSConnections = Get-Safe { (Get-AzrdpfixRegValue $tsPolicy 'fDenyTSConnections').value }
  # The other switches Learn's general-error page checks (TS: TSEnabled 1, TSUserEnabled 0, TSServerDrainMode 0;
  # RDP-Tcp: fLogonDisabled 0) and the adapter the listener is bound to (LanAdapter 0 = all).
  $reg.TSEnabled = Get-Safe { (Get-AzrdpfixRegValue $ts 'TSEnabled').value }
  $reg.TSUserEnabled = Get-Safe { (Get-AzrdpfixRegValue $ts 'TSUserEnabled').value }
  $reg.TSServerDrainMode = Get-Safe { (Get-AzrdpfixRegValue $ts 'TSServerDrainMode').value }
  $reg.fLogonDisabled = Get-Safe { (Get-AzrdpfixRegValue $rdpTcp 'fLogonDisabled').value }
  $reg.LanAdapter = Get-Safe { (Get-AzrdpfixRegValue $rdpTcp 'LanAdapter').value }
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
  $tlsOff = [ordered]@{}
  foreach ($v in @('1.0', '1.1', '1.2')) {
    $tls[$v] = Get-Safe { (Get-AzrdpfixRegValue "HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS $v\Server" 'Enabled').value }
    $tlsOff[$v] = Get-Safe { (Get-AzrdpfixRegValue "HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS $v\Server" 'DisabledByDefault').value }
  }
  $facts.tls = $tls
  $facts.tlsDisabledByDefault = $tlsOff
  $facts.fips = Get-Safe { (Get-AzrdpfixRegValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\FIPSAlgorithmPolicy' 'Enabled').value }

  $facts.firewall = Get-Safe {
    $profiles = [ordered]@{}
    $rules = [ordered]@{}
    $block = $false
    # The active store: what is in force, Group Policy rules and settings included.
    # '@FirewallAPI.dll,-28752' is the Remote Desktop group on every display language.
    $rdp = @(Get-NetFirewallRule -PolicyStore ActiveStore -Group '@FirewallAPI.dll,-28752' -ErrorAction SilentlyContinue |
        Where-Object { "$($_.Direction)" -eq 'Inbound' -and "$($_.Action)" -eq 'Allow' -and "$($_.Enabled)" -eq 'True' })
    # Enabled inbound Block rules whose port filter covers the RDP port win over every allow rule.
    $blockRules = 0
    foreach ($b in @(Get-NetFirewallRule -PolicyStore ActiveStore -Direction Inbound -Action Block -Enabled True -ErrorAction SilentlyContinue)) {
      $pf = $b | Get-NetFirewallPortFilter -ErrorAction SilentlyContinue
      if ($pf -and "$($pf.Protocol)" -match '^(TCP|6|Any)$' -and (@($pf.LocalPort) -contains 'Any' -or @($pf.LocalPort) -contains "$port")) { $blockRules++ }
    }
    foreach ($p in (Get-NetFirewallProfile -PolicyStore ActiveStore)) {
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
    [ordered]@{ profiles = $profiles; rdpRules = $rules; blockInbound = $block; blockRules = $blockRules; active = $active }
  }

  $events = [ordered]@{ '1057' = 0; '1058' = 0; '36870' = 0; '36871' = 0; '36872' = 0; '7022' = 0 }
  # Each id of its own provider: GroupPolicy also logs 1058, and 7022 is the service control manager's.
  $since = $now.AddHours(-24)
  $counted = Get-Safe {
    Get-WinEvent -MaxEvents 5000 -ErrorAction SilentlyContinue -FilterHashtable @(
        @{ LogName = 'System'; ProviderName = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager'; Id = @(1057, 1058); StartTime = $since },
        @{ LogName = 'System'; ProviderName = 'Schannel'; Id = @(36870, 36871, 36872); StartTime = $since },
        @{ LogName = 'System'; ProviderName = 'Service Control Manager'; Id = @(7022); StartTime = $since }) | Group-Object Id
  }
  $tsNames = @('Remote Desktop Services', 'TermService', (Get-Safe { (Get-Service -Name 'TermService').DisplayName }))
  foreach ($g in @($counted | Where-Object { $_ })) {
    # 7022 ("... service hung on starting") counts only for TermService; its first insert is the display name, in
    # the language of the moment it was logged, so the English and the current names both count.
    if ($g.Name -eq '7022') {
      $events['7022'] = @($g.Group | Where-Object { $tsNames -contains "$($_.Properties[0].Value)" }).Count
    } elseif ($events.Contains($g.Name)) {
      $events[$g.Name] = $g.Count
    }
  }
  $facts.events = $events

  $facts.mtu = Get-Safe {
    $route = Get-NetRoute -DestinationPrefix '0.0.0.0/0' -ErrorAction SilentlyContinue | Sort-Object RouteMetric | Select-Object -First 1
    if ($route) { [int](Get-NetIPInterface -InterfaceIndex $route.ifIndex -AddressFamily IPv4).NlMtu } else { $null }
  }

  # A repair or rollback that holds the lock (running, or interrupted and never released).
  $facts.lock = Get-Safe {
    $held = Get-AzrdpfixLock
    if ($held) { [ordered]@{ runId = $held.runId; kind = $held.kind; started = $held.started } } else { $null }
  }

  $result.facts = $facts
  $result.status = 'ok'
  # Belt and braces for the 4,096-byte window: drop certificates (oldest last in the list) until the line fits.
  while ((ConvertTo-AzrdpfixJson $result).Length -gt 3600 -and $certs.Count -gt 1) { $certs.RemoveAt($certs.Count - 1) }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
