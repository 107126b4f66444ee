package dev.azrdpfix.core.probe;

/**
 * What the server's X.224 Connection Confirm said.
 *
 * @param requestedProtocols the RDP_NEG_REQ protocols we asked for (bit set)
 * @param negotiationData false for a legacy server that sent no RDP_NEG_RSP/FAILURE at all
 * @param selectedProtocol the RDP_NEG_RSP selected protocol (bit value), or -1 if none
 * @param selectedProtocolName e.g. HYBRID, SSL, RDP; null if none
 * @param responseFlags the RDP_NEG_RSP flags, or 0
 * @param failureCode the RDP_NEG_FAILURE code, or 0 if the server did not refuse
 * @param failureName e.g. SSL_CERT_NOT_ON_SERVER; null if none
 */
public record Negotiation(
    int requestedProtocols,
    boolean negotiationData,
    int selectedProtocol,
    String selectedProtocolName,
    int responseFlags,
    int failureCode,
    String failureName) {}
