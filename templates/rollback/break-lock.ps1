<#
.SYNOPSIS
  Removes C:\ProgramData\azrdpfix\run.lock when it is still held by LockRunId and older than Run Command's own
  90-minute limit (the run that took it was cut off), journaled under RunId first.
.PARAMETER RunId
  The azrdpfix run that breaks the lock (its journal records the break).
.PARAMETER LockRunId
  The run the caller saw holding the lock: a lock that changed hands since is left alone.
.NOTES
  Why: a run cut off by a client that went away, or by Run Command's 90-minute limit, never released its lock, and
  every later repair or rollback refuses. Only a lock older than that limit can belong to no running script. The
  journal entry (op lock-break) is a fact of the past: rollback does not restore it and list-runs does not count it.
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$RunId,
  [Parameter(Mandatory = $true)][ValidatePattern('(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$')][string]$LockRunId
)
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'break-lock'
try {
  $held = Get-AzrdpfixLock
  if ($null -eq $held) {
    Add-AzrdpfixFinding $result 'no-lock' 'no run holds the lock'
  } elseif ($held.runId -ne $LockRunId) {
    Add-AzrdpfixFinding $result 'lock-changed' ('the lock is now held by run {0}; left alone' -f $held.runId)
  } else {
    $since = [datetime]::ParseExact($held.started, "yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AssumeUniversal,AdjustToUniversal')
    $minutes = [int]([datetime]::UtcNow - $since).TotalMinutes
    if ($minutes -le 90) {
      Add-AzrdpfixFinding $result 'lock-not-stale' ('run {0} took the lock {1} min ago, within the 90-minute limit; left alone' -f $held.runId, $minutes)
    } else {
      $dir = Initialize-AzrdpfixBackup $RunId
      Add-AzrdpfixJournal $dir 'break-lock' ([ordered]@{ op = 'lock-break'; runId = $held.runId; started = $held.started })
      Remove-Item -LiteralPath (Get-AzrdpfixLockPath) -Force
      Add-AzrdpfixChange $result 'run.lock' ('run {0} since {1}' -f $held.runId, $held.started) 'removed'
    }
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
