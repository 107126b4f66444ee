package dev.azrdpfix.probe;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeStage;
import dev.azrdpfix.core.probe.ProbeVerdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * JSON for probe results. A plain {@code ObjectMapper} already serialises {@link ProbeResult}; {@link #module()} only
 * writes verdicts as their kebab-case ids ("tls-handshake-failed"), the form the README documents, and stage statuses
 * in lower case ("ok", "warn", "failed").
 */
public final class ProbeJson {
  private ProbeJson() {}

  /** Register in any ObjectMapper to write and read verdicts by id. */
  public static SimpleModule module() {
    SimpleModule m = new SimpleModule("azrdpfix-probe");
    m.addSerializer(ProbeVerdict.class, new JsonSerializer<>() {
      @Override
      public void serialize(ProbeVerdict v, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeString(v.id());
      }
    });
    m.addDeserializer(ProbeVerdict.class, new JsonDeserializer<>() {
      @Override
      public ProbeVerdict deserialize(JsonParser p, DeserializationContext c) throws IOException {
        String text = p.getValueAsString();
        ProbeVerdict v = ProbeVerdict.fromId(text);
        if (v == null) {
          try {
            v = ProbeVerdict.valueOf(text);
          } catch (IllegalArgumentException e) {
            return (ProbeVerdict) c.handleWeirdStringValue(ProbeVerdict.class, text, "not a probe verdict id");
          }
        }
        return v;
      }
    });
    m.addSerializer(ProbeStage.Status.class, new JsonSerializer<>() {
      @Override
      public void serialize(ProbeStage.Status v, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeString(v.name().toLowerCase(Locale.ROOT));
      }
    });
    m.addDeserializer(ProbeStage.Status.class, new JsonDeserializer<>() {
      @Override
      public ProbeStage.Status deserialize(JsonParser p, DeserializationContext c) throws IOException {
        String text = p.getValueAsString();
        try {
          return ProbeStage.Status.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          return (ProbeStage.Status) c.handleWeirdStringValue(ProbeStage.Status.class, text, "not a stage status");
        }
      }
    });
    return m;
  }

  /** A mapper with {@link #module()} registered, indenting its output. */
  public static ObjectMapper mapper() {
    return new ObjectMapper().registerModule(module()).enable(SerializationFeature.INDENT_OUTPUT);
  }

  public static String toJson(ProbeResult r) {
    try {
      return mapper().writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
