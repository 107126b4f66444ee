package dev.azrdpfix.simulator.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Keeps {@link SimState} in memory and in the state file. Every access is a transaction under a file lock (so two
 * simulator processes never interleave), reloads the file when another process changed it, and saves atomically
 * (temp file + move) when the state changed. Without a file the state lives in memory only.
 */
public final class StateStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** File locks are per process; this serialises simulators of one JVM that share a state file. */
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final Catalogue catalogue;
  private SimState state;
  private List<Object> stamp;

  public StateStore(Path file, Catalogue catalogue) {
    this.file = file == null ? null : file.toAbsolutePath().normalize();
    this.catalogue = catalogue;
  }

  /** Runs {@code work} on the current state and persists it if it changed. */
  @SuppressWarnings("try") // the lock is held for the block's duration, not referenced in it
  public synchronized <R> R transact(Function<SimState, R> work) {
    if (file == null) {
      if (state == null) {
        state = SimState.initial(catalogue);
      }
      try {
        return work.apply(state);
      } finally {
        state.dirty = false;
      }
    }
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(file.getParent());
      Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = channel.lock()) {
        refresh();
        try {
          return work.apply(state);
        } finally {
          // Saved even when the work ends in an ARM error: settling operations may already have changed the state.
          if (state.dirty) {
            save();
          }
        }
      }
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "Simulator state file " + file + " could not be used: "
          + e.getMessage() + ". Check the directory is writable, or run `azrdpfix simulator reset`.", e);
    } finally {
      jvmLock.unlock();
    }
  }

  private void refresh() throws IOException {
    List<Object> current = stampOf(file);
    if (current == null) {
      state = SimState.initial(catalogue);
      stamp = null;
      return;
    }
    if (state != null && current.equals(stamp)) {
      return;
    }
    try {
      JsonNode root = JSON.readTree(Files.readAllBytes(file));
      state = SimState.fromJson(root, catalogue);
      stamp = current;
    } catch (IOException | RuntimeException e) {
      throw AzrdpfixException.precondition("Simulator state file " + file + " is unreadable (" + e.getMessage()
          + "). Run `azrdpfix simulator reset` to start over.");
    }
  }

  private void save() throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(state.toJson());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.write(tmp, bytes);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    state.dirty = false;
    stamp = stampOf(file);
  }

  private static List<Object> stampOf(Path file) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      Object key = a.fileKey() == null ? "" : a.fileKey();
      return List.of(key, a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Deletes the state file (the lock file stays: another process may hold it). */
  public static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
