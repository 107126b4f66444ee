<#
.SYNOPSIS
  The fixed tail of a composed repair bundle: runs the step script blocks in order and prints one bundle marker line.
.DESCRIPTION
  ScriptBundle (Java) emits the bundle's param() block, then the helper functions of common/helpers.ps1 once at script
  scope (between azrdpfix-helpers marker comments), then each step as
  $azrdpfixSteps.Add(@{ Id = '<id>'; Critical = $true|$false; Block = { <template text verbatim> } }) between
  azrdpfix-step marker comments, then this runner. The runner and every step block call those script-scope helpers.
  Each step gets exactly the bundle parameters its own param() block declares.
.NOTES
  Why: one Run Command per repair run (each costs 20+ seconds and only one may run at a time). The runner keeps only
  each step's marker (with "critical" added), stops after the first failed critical step (later steps may depend on
  it), records a failed best-effort step (time, policy) as a warning and goes on, and prints one marker line for the
  bundle: {"v":1,"id":"bundle","status":...,"error":...,"warnings":[...],"steps":[<step results without v>]}. Each
  step runs inside a one-pass loop, so a stray break or continue in it cannot end the runner's loop. The line must
  stay under 4,096 bytes, so an oversized result is shortened (and measured again) until it fits. A run that journaled
  a change gets the journal's end entry {"op":"end","status":...} last: list-runs tells complete from interrupted.
  The runner holds C:\ProgramData\azrdpfix\run.lock (created with CreateNew, so atomically exclusive) while the steps
  run, and releases it at the end, also on failure; a lock held by another run fails the bundle before any step.
#>
$ErrorActionPreference = 'Stop'

$azrdpfixBound = @{}
foreach ($azrdpfixKey in $PSBoundParameters.Keys) { $azrdpfixBound[$azrdpfixKey] = $PSBoundParameters[$azrdpfixKey] }
$azrdpfixResults = New-Object System.Collections.Generic.List[object]
$azrdpfixWarnings = New-Object System.Collections.Generic.List[object]
$azrdpfixBundle = New-AzrdpfixResult 'bundle'
$azrdpfixBundle.Remove('findings'); $azrdpfixBundle.Remove('changes'); $azrdpfixBundle.Remove('backups')
$azrdpfixBundle.warnings = $azrdpfixWarnings
$azrdpfixBundle.steps = $azrdpfixResults
$azrdpfixLocked = $false
try {
  # One run at a time on a VM: a lock held by another run stops the bundle before any step.
  Enter-AzrdpfixLock $azrdpfixBound['RunId'] 'repair'
  $azrdpfixLocked = $true
  foreach ($azrdpfixStep in $azrdpfixSteps) {
    $splat = @{}
    if ($azrdpfixStep.Block.Ast.ParamBlock) {
      foreach ($p in $azrdpfixStep.Block.Ast.ParamBlock.Parameters) {
        $name = $p.Name.VariablePath.UserPath
        if ($azrdpfixBound.ContainsKey($name)) { $splat[$name] = $azrdpfixBound[$name] }
      }
    }
    $lines = @()
    try {
      # A one-pass loop: break or continue inside the step stops here, not in the runner's foreach.
      $lines = @(do { & $azrdpfixStep.Block @splat 2>&1 | ForEach-Object { "$_" } } while ($false))
    } catch {
      $lines = @('step threw: ' + (Get-AzrdpfixShort $_.Exception.Message 200))
    }
    $marker = $lines | Where-Object { $_.StartsWith('AZRDPFIX-RESULT ') } | Select-Object -Last 1
    $step = $null
    if ($marker) { try { $step = $marker.Substring(16) | ConvertFrom-Json } catch { $step = $null } }
    if ($null -eq $step -or $step.id -ne $azrdpfixStep.Id) {
      $why = 'no result line'
      $last = $lines | Where-Object { $_.Trim() } | Select-Object -Last 1
      if ($last) { $why = 'no result line; last output: ' + (Get-AzrdpfixShort $last 160) }
      $step = [pscustomobject][ordered]@{ id = $azrdpfixStep.Id; status = 'failed'; findings = @(); changes = @(); backups = @(); error = $why }
    }
    $step.PSObject.Properties.Remove('v')
    $step | Add-Member -NotePropertyName 'critical' -NotePropertyValue ([bool]$azrdpfixStep.Critical) -Force
    $azrdpfixResults.Add($step)
    Write-Output ('azrdpfix step {0}: {1}' -f $azrdpfixStep.Id, $step.status)
    if ($step.status -eq 'changed') { $azrdpfixBundle.status = 'changed' }
    if ($step.status -eq 'failed') {
      if (-not $azrdpfixStep.Critical) {
        $azrdpfixWarnings.Add((Get-AzrdpfixShort ('best-effort step {0} failed: {1}' -f $azrdpfixStep.Id, $step.error) 200))
        continue
      }
      $azrdpfixBundle.status = 'failed'
      $azrdpfixBundle.error = Get-AzrdpfixShort ('step {0} failed: {1}' -f $azrdpfixStep.Id, $step.error) 300
      break
    }
  }
  if ((ConvertTo-AzrdpfixJson $azrdpfixBundle).Length -gt 3800) {
    for ($i = 0; $i -lt $azrdpfixResults.Count; $i++) {
      $s = $azrdpfixResults[$i]
      $n = @($s.changes).Count
      $azrdpfixResults[$i] = [ordered]@{ id = $s.id; status = $s.status; findings = @(); backups = @();
          changes = @([ordered]@{ what = "$n changes (shortened; see journal.jsonl)"; before = $null; after = $null });
          error = (Get-AzrdpfixShort $s.error 150); critical = $s.critical }
    }
  }
  # 5.1 escapes quotes and <>& six-fold: measure again and cut the free texts until the line fits.
  if ((ConvertTo-AzrdpfixJson $azrdpfixBundle).Length -gt 3800) {
    $azrdpfixBundle.error = Get-AzrdpfixShort $azrdpfixBundle.error 100
    for ($i = 0; $i -lt $azrdpfixWarnings.Count; $i++) { $azrdpfixWarnings[$i] = Get-AzrdpfixShort $azrdpfixWarnings[$i] 60 }
    foreach ($s in $azrdpfixResults) { $s.error = Get-AzrdpfixShort $s.error 40 }
  }
} catch {
  Set-AzrdpfixFailed $azrdpfixBundle $_
} finally {
  if ($azrdpfixLocked) { Exit-AzrdpfixLock $azrdpfixBound['RunId'] }
}
# The journal's end entry (only for a run that journaled a change): a journal without it is an interrupted run.
$azrdpfixDir = Join-Path $env:ProgramData ('azrdpfix\backup\' + $azrdpfixBound['RunId'])
if ($azrdpfixBound['RunId'] -and (Test-Path -LiteralPath (Join-Path $azrdpfixDir 'journal.jsonl'))) {
  try {
    Add-AzrdpfixJournal $azrdpfixDir 'bundle' ([ordered]@{ op = 'end'; status = $azrdpfixBundle.status })
  } catch {
    $azrdpfixWarnings.Add('the journal end entry could not be written')
  }
}
Write-AzrdpfixResult $azrdpfixBundle
