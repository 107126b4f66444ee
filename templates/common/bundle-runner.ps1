<#
.SYNOPSIS
  The fixed tail of a composed repair bundle: runs the step script blocks in order and prints one bundle marker line.
.DESCRIPTION
  ScriptBundle (Java) emits the bundle's param() block, then the helper functions of common/helpers.ps1 once at script
  scope (between azrdpfix-helpers marker comments), then each step as
  $azrdpfixSteps.Add(@{ Id = '<id>'; Block = { <template text verbatim> } }) between azrdpfix-step marker comments,
  then this runner. The runner and every step block call those script-scope helpers. Each step gets exactly the
  bundle parameters its own param() block declares.
.NOTES
  Why: one Run Command per repair run (each costs 20+ seconds and only one may run at a time). The runner keeps only
  each step's marker, stops after the first failed step (later steps may depend on it) and prints one marker line for
  the bundle: {"v":1,"id":"bundle","status":...,"steps":[<step results without v>]}. It must stay under 4,096 bytes,
  so an oversized result is shortened to each step's status, error and change count.
#>
$ErrorActionPreference = 'Stop'

$azrdpfixBound = @{}
foreach ($azrdpfixKey in $PSBoundParameters.Keys) { $azrdpfixBound[$azrdpfixKey] = $PSBoundParameters[$azrdpfixKey] }
$azrdpfixResults = New-Object System.Collections.Generic.List[object]
$azrdpfixBundle = New-AzrdpfixResult 'bundle'
$azrdpfixBundle.Remove('findings'); $azrdpfixBundle.Remove('changes'); $azrdpfixBundle.Remove('backups')
$azrdpfixBundle.steps = $azrdpfixResults
try {
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
      $lines = @(& $azrdpfixStep.Block @splat 2>&1 | ForEach-Object { "$_" })
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
    $azrdpfixResults.Add($step)
    Write-Output ('azrdpfix step {0}: {1}' -f $azrdpfixStep.Id, $step.status)
    if ($step.status -eq 'changed') { $azrdpfixBundle.status = 'changed' }
    if ($step.status -eq 'failed') {
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
          changes = @([ordered]@{ what = "$n changes (shortened; see journal.jsonl)"; before = $null; after = $null }); error = $s.error }
    }
  }
} catch {
  Set-AzrdpfixFailed $azrdpfixBundle $_
}
Write-AzrdpfixResult $azrdpfixBundle
