package dev.azrdpfix.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.azrdpfix.core.probe.NtlmInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The bytes the probe sends, and NTLM CHALLENGE decoding from messages laid out by hand per MS-NLMP. */
class WireFormatTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void connection_request_is_the_19_byte_cookie_free_cr_asking_ssl_hybrid_hybrid_ex() {
    String tpkt = "03000013";
    String x224 = "0e" + "e0" + "0000" + "0000" + "00";
    String negReq = "01" + "00" + "0800" + "0b000000";
    assertEquals(tpkt + x224 + negReq, HEX.formatHex(X224.connectionRequest(0x0B)));
  }

  @Test
  void tsrequest_is_the_57_byte_version_6_ntlm_negotiate_without_credentials() {
    String ntlmNegotiate = "4e544c4d53535000" + "01000000" + "b78208e2" + "0000000000000000" + "0000000000000000"
        + "0a0063450000000f";
    String expected = "3037" + "a003020106" + "a130" + "302e" + "302c" + "a02a" + "0428" + ntlmNegotiate;
    byte[] request = CredSsp.negotiateRequest();
    assertEquals(57, request.length);
    assertEquals(expected, HEX.formatHex(request));
  }

  /** CHALLENGE as Windows Server 2019 would send it, built field by field from MS-NLMP 2.2.1.2. */
  private static byte[] challenge(long flags, byte[] version, byte[] targetName, byte[] targetInfo) {
    int payload = version == null ? 48 : 56;
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII));
    m.writeBytes(le(2, 4));
    m.writeBytes(le(targetName.length, 2));
    m.writeBytes(le(targetName.length, 2));
    m.writeBytes(le(payload, 4));
    m.writeBytes(le(flags, 4));
    m.writeBytes(HEX.parseHex("0123456789abcdef"));
    m.writeBytes(new byte[8]);
    m.writeBytes(le(targetInfo.length, 2));
    m.writeBytes(le(targetInfo.length, 2));
    m.writeBytes(le(payload + targetName.length, 4));
    if (version != null) {
      m.writeBytes(version);
    }
    m.writeBytes(targetName);
    m.writeBytes(targetInfo);
    return m.toByteArray();
  }

  private static byte[] av(int id, byte[] value) {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes(le(id, 2));
    m.writeBytes(le(value.length, 2));
    m.writeBytes(value);
    return m.toByteArray();
  }

  private static byte[] u16(String s) {
    return s.getBytes(StandardCharsets.UTF_16LE);
  }

  private static byte[] le(long v, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      m.writeBytes(p);
    }
    return m.toByteArray();
  }

  @Test
  void decodes_names_version_and_timestamp_of_a_domain_member() {
    // 2024-01-01T00:00:00Z as FILETIME: (1704067200 + 11644473600) * 10^7 = 133485408000000000 = 0x01DA3C4BD0C8C000
    long filetime = 133_485_408_000_000_000L;
    byte[] info = concat(
        av(2, u16("CONTOSO")), av(1, u16("WEB-01")), av(4, u16("contoso.com")), av(3, u16("web-01.contoso.com")),
        av(5, u16("contoso.com")), av(7, le(filetime, 8)), av(0, new byte[0]));
    byte[] version = {10, 0, (byte) 0x63, 0x45, 0, 0, 0, 0x0F}; // 10.0.17763 (0x4563)
    byte[] token = challenge(0xE28A8215L, version, u16("CONTOSO"), info);

    NtlmChallenge c = NtlmChallenge.decode(token);
    assertEquals("CONTOSO", c.targetName());
    assertEquals("WEB-01", c.nbComputerName());
    assertEquals("CONTOSO", c.nbDomainName());
    assertEquals("web-01.contoso.com", c.dnsComputerName());
    assertEquals("contoso.com", c.dnsDomainName());
    assertEquals("contoso.com", c.dnsTreeName());
    assertEquals("10.0.17763", c.osVersion());
    assertEquals(Instant.parse("2024-01-01T00:00:00Z"), c.timestamp());

    NtlmInfo i = c.toInfo(Instant.parse("2024-01-01T00:07:30Z"));
    assertEquals(-450_000L, i.clockSkewMillis(), "server 7.5 min behind us");
    assertEquals("2024-01-01T00:00:00Z", i.serverTime());
  }

  @Test
  void version_is_absent_without_negotiate_version_and_unknown_av_pairs_are_skipped() {
    byte[] info = concat(av(6, le(2, 4)), av(9, u16("cifs/x")), av(1, u16("OLD")), av(0, new byte[0]));
    byte[] token = challenge(0x00028233L, null, new byte[0], info);

    NtlmChallenge c = NtlmChallenge.decode(token);
    assertNull(c.osVersion());
    assertNull(c.targetName());
    assertEquals("OLD", c.nbComputerName());
    assertNull(c.timestamp());
    assertNull(c.toInfo(Instant.now()).clockSkewMillis());
  }

  @Test
  void av_pairs_stop_at_eol_even_if_bytes_follow() {
    byte[] info = concat(av(1, u16("A")), av(0, new byte[0]), av(3, u16("after-eol")));
    NtlmChallenge c = NtlmChallenge.decode(challenge(0x02000000L, new byte[8], new byte[0], info));
    assertEquals("A", c.nbComputerName());
    assertNull(c.dnsComputerName());
  }

  @Test
  void rejects_what_is_not_a_well_formed_challenge() {
    byte[] good = challenge(0x02000000L, new byte[8], u16("T"), concat(av(1, u16("A")), av(0, new byte[0])));

    assertThrows(IllegalArgumentException.class, () -> NtlmChallenge.decode(new byte[20]));
    byte[] badSignature = good.clone();
    badSignature[0] = 'X';
    assertThrows(IllegalArgumentException.class, () -> NtlmChallenge.decode(badSignature));
    byte[] negotiateType = good.clone();
    negotiateType[8] = 1;
    assertThrows(IllegalArgumentException.class, () -> NtlmChallenge.decode(negotiateType));
    byte[] infoPastEnd = good.clone();
    infoPastEnd[44] = (byte) 0xF0; // TargetInfo offset beyond the message
    assertThrows(IllegalArgumentException.class, () -> NtlmChallenge.decode(infoPastEnd));
    byte[] avPastInfo = good.clone();
    avPastInfo[56 + 2 + 2] = 0x7F; // first AV_PAIR length runs past TargetInfo
    assertThrows(IllegalArgumentException.class, () -> NtlmChallenge.decode(avPastInfo));
  }

  @Test
  void filetime_conversion_matches_the_epoch_offset() {
    assertEquals(Instant.parse("1601-01-01T00:00:00Z"), NtlmChallenge.fromFiletime(0));
    assertEquals(Instant.parse("1970-01-01T00:00:00.0000001Z"), NtlmChallenge.fromFiletime(116_444_736_000_000_001L));
  }

  @Test
  void credssp_error_code_is_read_as_unsigned_ntstatus() throws Exception {
    // TSRequest content { [0] version 6, [4] errorCode 0xC000006D as a negative 4-byte INTEGER }
    CredSsp.Reply r = CredSsp.parse(HEX.parseHex("a003020106" + "a4060204c000006d"));
    assertEquals(0xC000006DL, r.errorCode());
    assertEquals(6, r.version());
    assertNull(r.ntlmToken());
  }
}
