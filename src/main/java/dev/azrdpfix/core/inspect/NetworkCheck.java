package dev.azrdpfix.core.inspect;

import dev.azrdpfix.core.nsg.NsgEvaluator.Verdict;

/** One NSG evaluation kept in the report: the source asked about ("internet" or an address) and the verdict. */
public record NetworkCheck(String source, Verdict verdict) {}
