<#
.SYNOPSIS
  Read-only: lists the azrdpfix runs on this VM (the run folders under C:\ProgramData\azrdpfix\backup), newest first,
  each with its state, start time and what it changed. Changes nothing.
.DESCRIPTION
  One entry per run folder that holds a journal.jsonl: id, t (the first journal entry), state, n (journaled changes),
  ops (up to three distinct "step op" texts), rb (when it was rolled back) and bad (journal lines that are not JSON).
  State: rolled-back (rolledback.json in the run folder, written by rollback.ps1), complete (the journal ends with the
  runner's end entry), interrupted (no end entry: the bundle stopped midway, or is still running).
.NOTES
  Why: the journal on the VM is the record of what a run changed; a report on a laptop may be missing or stale, so
  rollback asks the VM. Only folders named like a run id are read. The line must fit the 4,096-byte window: runs are
  added newest first while the line stays under 3,400 characters; more counts the runs left out. lock is the run that
  holds C:\ProgramData\azrdpfix\run.lock ({runId, kind, started}) or null.
#>
param()
$ErrorActionPreference = 'Stop'

# azrdpfix:helpers

$result = New-AzrdpfixResult 'list-runs'
$result.status = 'ok'
$result.now = Get-AzrdpfixTime
$result.more = 0
$result.runs = New-Object System.Collections.Generic.List[object]
$result.lock = $null
try {
  $result.lock = Get-AzrdpfixLock
  $root = Join-Path $env:ProgramData 'azrdpfix\backup'
  $dirs = @()
  if (Test-Path -LiteralPath $root) {
    $dirs = @(Get-ChildItem -LiteralPath $root -Directory -Force | Where-Object { $_.Name -cmatch '^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$' } | Sort-Object Name -Descending)
  }
  foreach ($d in $dirs) {
    $journal = Join-Path $d.FullName 'journal.jsonl'
    if (-not (Test-Path -LiteralPath $journal)) { continue }
    if ($result.runs.Count -gt 0 -and (ConvertTo-AzrdpfixJson $result).Length -gt 3400) { $result.more++; continue }
    $run = [ordered]@{ id = $d.Name; t = $null; state = 'interrupted'; n = 0; ops = @(); rb = $null; bad = 0 }
    $ops = New-Object System.Collections.Generic.List[string]
    $ended = $false
    foreach ($line in @(Get-Content -LiteralPath $journal -TotalCount 2000)) {
      if (-not $line.Trim()) { continue }
      $e = $null
      try { $e = $line | ConvertFrom-Json } catch { $e = $null }
      if ($null -eq $e) { $run.bad++; continue }
      if ($null -eq $run.t) { $run.t = Get-AzrdpfixShort "$($e.t)" 20 }
      if ("$($e.op)" -eq 'end') { $ended = $true; continue }
      $op = Get-AzrdpfixShort ('{0} {1}' -f $e.step, $e.op) 48
      if ("$($e.op)" -eq 'lock-break') {
        # A fact of the past, not a change to undo: listed, not counted.
        if ($ops.Count -lt 3 -and -not $ops.Contains($op)) { $ops.Add($op) }
        continue
      }
      $ended = $false
      $run.n++
      if ($ops.Count -lt 3 -and -not $ops.Contains($op)) { $ops.Add($op) }
    }
    $run.ops = @($ops)
    if ($ended) { $run.state = 'complete' }
    $marker = Join-Path $d.FullName 'rolledback.json'
    if (Test-Path -LiteralPath $marker) {
      $run.state = 'rolled-back'
      $rb = $null
      try { $rb = Get-Content -LiteralPath $marker -Raw | ConvertFrom-Json } catch { $rb = $null }
      if ($rb) { $run.rb = Get-AzrdpfixShort "$($rb.t)" 20 }
    }
    $result.runs.Add($run)
  }
  while ((ConvertTo-AzrdpfixJson $result).Length -gt 3600 -and $result.runs.Count -gt 1) {
    $result.runs.RemoveAt($result.runs.Count - 1)
    $result.more++
  }
} catch {
  Set-AzrdpfixFailed $result $_
}
Write-AzrdpfixResult $result
