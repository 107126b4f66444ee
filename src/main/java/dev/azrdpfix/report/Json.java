package dev.azrdpfix.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.ser.ResolvableSerializer;
import com.fasterxml.jackson.databind.type.MapType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.core.probe.ProbeVerdict;
import java.io.IOException;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Function;

/**
 * The one JSON mapper for results: ISO-8601 times, pretty printed, stable key order, real nulls. Documents are built
 * as {@link LinkedHashMap}s (their order is the documented one) and records (component order); any other map, whose
 * iteration order Java does not fix ({@code Map.of}, {@code Map.copyOf}, {@code HashMap}), is written in key order,
 * so the same result always prints the same bytes. Every key is written, a value that is not known as {@code null}.
 */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new SimpleModule("azrdpfix-report")
          .addSerializer(Severity.class, new IdSerializer<>(Severity::id))
          .addSerializer(ProbeVerdict.class, new IdSerializer<>(ProbeVerdict::id))
          .addSerializer(FindingId.class, new IdSerializer<>(FindingId::id))
          .addSerializer(ExitCode.class, new JsonSerializer<ExitCode>() {
            @Override
            public void serialize(ExitCode value, JsonGenerator gen, SerializerProvider serializers)
                throws IOException {
              gen.writeObject(exit(value));
            }
          })
          .setSerializerModifier(new BeanSerializerModifier() {
            @Override
            public JsonSerializer<?> modifyMapSerializer(SerializationConfig config, MapType valueType,
                BeanDescription beanDesc, JsonSerializer<?> serializer) {
              return new KeyOrderedMapSerializer(serializer);
            }
          }))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private Json() {}

  /** Writes an enum as its stable kebab-case id. */
  private static final class IdSerializer<T> extends JsonSerializer<T> {
    private final Function<T, String> id;

    IdSerializer(Function<T, String> id) {
      this.id = id;
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeString(id.apply(value));
    }
  }

  /** Hands Jackson's own map serializer a key-ordered copy of any map without a defined order. */
  private static final class KeyOrderedMapSerializer extends JsonSerializer<Map<?, ?>>
      implements
        ContextualSerializer,
        ResolvableSerializer {
    private final JsonSerializer<Object> delegate;

    @SuppressWarnings("unchecked")
    KeyOrderedMapSerializer(JsonSerializer<?> delegate) {
      this.delegate = (JsonSerializer<Object>) delegate;
    }

    @Override
    public void serialize(Map<?, ?> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      delegate.serialize(ordered(value), gen, provider);
    }

    @Override
    public void serializeWithType(Map<?, ?> value, JsonGenerator gen, SerializerProvider provider,
        TypeSerializer typeSer) throws IOException {
      delegate.serializeWithType(ordered(value), gen, provider, typeSer);
    }

    @Override
    public boolean isEmpty(SerializerProvider provider, Map<?, ?> value) {
      return delegate.isEmpty(provider, value);
    }

    @Override
    public JsonSerializer<?> createContextual(SerializerProvider provider, BeanProperty property)
        throws JsonMappingException {
      if (delegate instanceof ContextualSerializer c) {
        return new KeyOrderedMapSerializer(c.createContextual(provider, property));
      }
      return this;
    }

    @Override
    public void resolve(SerializerProvider provider) throws JsonMappingException {
      if (delegate instanceof ResolvableSerializer r) {
        r.resolve(provider);
      }
    }

    private static Map<?, ?> ordered(Map<?, ?> map) {
      if (map instanceof LinkedHashMap || map instanceof SortedMap || map instanceof EnumMap || map.size() < 2) {
        return map;
      }
      Map<Object, Object> out = new LinkedHashMap<>();
      map.entrySet().stream()
          .sorted(Comparator.comparing(e -> String.valueOf(e.getKey())))
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    }
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /**
   * A JSON object with these keys in this order; a null value stays a {@code null} key (unlike {@code Map.of}, which
   * neither keeps order nor takes nulls).
   *
   * @param keysAndValues key, value, key, value...; keys are strings
   */
  public static Map<String, Object> object(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must pair up");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
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
