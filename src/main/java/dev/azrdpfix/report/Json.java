package dev.azrdpfix.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.Finding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The one JSON mapper for results: ISO-8601 times, pretty printed, stable field order. */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new com.fasterxml.jackson.databind.module.SimpleModule()
          .addSerializer(dev.azrdpfix.core.model.Severity.class, new IdSerializer<>(s -> s.id()))
          .addSerializer(dev.azrdpfix.core.probe.ProbeVerdict.class, new IdSerializer<>(v -> v.id()))
          .addSerializer(dev.azrdpfix.core.model.FindingId.class, new IdSerializer<>(f -> f.id()))
          .addSerializer(ExitCode.class, new com.fasterxml.jackson.databind.JsonSerializer<ExitCode>() {
            @Override
            public void serialize(ExitCode value, com.fasterxml.jackson.core.JsonGenerator gen,
                com.fasterxml.jackson.databind.SerializerProvider serializers) throws java.io.IOException {
              gen.writeObject(exit(value));
            }
          }))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private Json() {}

  /** Writes an enum as its stable kebab-case id. */
  private static final class IdSerializer<T> extends com.fasterxml.jackson.databind.JsonSerializer<T> {
    private final java.util.function.Function<T, String> id;

    IdSerializer(java.util.function.Function<T, String> id) {
      this.id = id;
    }

    @Override
    public void serialize(T value, com.fasterxml.jackson.core.JsonGenerator gen,
        com.fasterxml.jackson.databind.SerializerProvider serializers) throws java.io.IOException {
      gen.writeString(id.apply(value));
    }
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** A finding as JSON: id, severity (critical|warning|info), summary, evidence, nextStep. */
  public static Map<String, Object> finding(Finding f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", f.id().id());
    m.put("severity", f.severity().id());
    m.put("summary", f.summary());
    m.put("evidence", f.evidence());
    m.put("nextStep", f.nextStep());
    return m;
  }

  public static List<Map<String, Object>> findings(List<Finding> findings) {
    return findings.stream().map(Json::finding).toList();
  }

  /** An exit code as JSON: {"code": 5, "name": "rdp-blocked"}. */
  public static Map<String, Object> exit(ExitCode code) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("code", code.code());
    m.put("name", code.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    return m;
  }
}
