<#
.SYNOPSIS
  Adds to the RDP listener's key file (CAPI MachineKeys or CNG Keys) only the entries its OS build needs and lacks
  (SYSTEM full control, NETWORK SERVICE read, and Administrators read up to build 14393 or NT SERVICE\SessionEnv full
  control from 17763 on), and removes only the deny entries that block them, after saving the original SDDL.
.PARAMETER RunId
  The azrdpfix run id; names the backup folder C:\ProgramData\azrdpfix\backup\<RunId>.
.PARAMETER Thumbprint
  The certificate the listener uses (Win32_TSGeneralSetting, the binding, else the newest in Remote Desktop).
.NOTES
  Why: a valid certificate whose key NETWORK SERVICE cannot read never heals by itself (guest-repair.md 6.4), and the
  recursive MachineKeys reset would give NETWORK SERVICE read on every machine private key (IIS, SQL, ADFS, the guest
  agent's). Microsoft's win-fix-rdp-certificate repairs only the listener's container with the entries measured on
  healthy images per build (guest-repair.md 6.2); so does this step. Other key files are never touched. The services
  must restart afterwards for TermService to load the key again (restart-rdp-services).
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId,
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9A-F]{40}$')][string]$Thumbprint
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'repair-rdp-key-acl'
try {
  $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\Remote Desktop\' + $Thumbprint) -ErrorAction SilentlyContinue
  if ($null -eq $cert) { $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $Thumbprint) -ErrorAction SilentlyContinue }
  $key = $null
  if ($cert) { $key = Get-AzrdpfixKeyState $cert }
  if ($null -eq $cert) {
    Add-AzrdpfixFinding $result 'certificate-gone' "$Thumbprint is in neither Remote Desktop nor My"
  } elseif (-not $key.keyFile) {
    Add-AzrdpfixFinding $result 'key-file-not-found' "no key file for $Thumbprint: a key-less certificate is removed, not repaired"
  } else {
    $build = [int](Get-CimInstance -ClassName Win32_OperatingSystem -OperationTimeoutSec 20).BuildNumber
    $gap = Get-AzrdpfixMissingKeyEntries $key.keyFile $build
    if ($gap.missing.Count -eq 0 -and $gap.denies.Count -eq 0) {
      Add-AzrdpfixFinding $result 'key-acl-sound' "the key file of $Thumbprint already holds the entries of build $build"
    } else {
      $dir = Initialize-AzrdpfixBackup $RunId
      $before = (Get-Acl -LiteralPath $key.keyFile).Sddl
      $sddlFile = Join-Path $dir ("rdp-key-$Thumbprint.sddl")
      [System.IO.File]::WriteAllText($sddlFile, $before, (New-Object System.Text.UTF8Encoding $false))
      $result.backups.Add($sddlFile)
      Add-AzrdpfixJournal $dir 'repair-rdp-key-acl' ([ordered]@{ op = 'sddl'; path = $key.keyFile; sddlBefore = $before })
      $want = Get-AzrdpfixRdpKeyEntries $build
      $item = Get-Item -LiteralPath $key.keyFile -Force
      $acl = $item.GetAccessControl('Access')
      foreach ($rule in @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]))) {
        if ("$($rule.AccessControlType)" -eq 'Deny' -and $gap.denies -contains $rule.IdentityReference.Value) { $acl.RemoveAccessRuleSpecific($rule) }
      }
      foreach ($sid in $gap.missing) {
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule((New-Object System.Security.Principal.SecurityIdentifier $sid),
            [System.Security.AccessControl.FileSystemRights]$want[$sid], 'None', 'None', 'Allow')))
      }
      $item.SetAccessControl($acl)
      $left = Get-AzrdpfixMissingKeyEntries $key.keyFile $build
      if ($left.missing.Count -gt 0 -or $left.denies.Count -gt 0) {
        throw ('the key file still lacks ' + (@($left.missing) + @($left.denies) -join ',') + ' (an inherited deny?)')
      }
      Add-AzrdpfixChange $result ('RDP key ' + (Split-Path -Leaf $key.keyFile) + ' ACL') $before (Get-Acl -LiteralPath $key.keyFile).Sddl
    }
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
