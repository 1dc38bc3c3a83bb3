package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a folder and calls {@code onChange} after any event in it, including an overflow (lost
 * events): what it triggers rescans, so no event needs to be exact.
 *
 * <p>Also watches the folder's parent for the folder's own name, so replacing the folder itself is seen:
 * a symlink swapped to another release ({@code plugins -> releases/42/plugins}), or a folder deleted and
 * created again. The watch then moves to what the name now points to. (A watch follows the directory it
 * was registered on, not its name.)
 */
final class FolderWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FolderWatcher.class);

    private final Path dir;
    private final Runnable onChange;
    private final WatchService service;
    private final WatchKey parentKey;
    private final Thread thread;
    /** Owned by the watcher thread after construction. */
    private WatchKey dirKey;

    FolderWatcher(Path dir, String threadName, Runnable onChange) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.onChange = onChange;
        this.service = FileSystems.getDefault().newWatchService();
        this.dirKey = register(this.dir);
        this.parentKey = registerParent(this.dir.getParent());
        this.thread = new KernelThreadFactory(threadName).newThread(this::run);
        thread.start();
    }

    /** Best effort: without it, only a replacement of the folder itself goes unnoticed. */
    private WatchKey registerParent(Path parent) {
        if (parent == null) {
            return null;
        }
        try {
            return register(parent);
        } catch (IOException e) {
            log.debug("Cannot watch {}; a replacement of {} itself will not be noticed", parent, dir, e);
            return null;
        }
    }

    private WatchKey register(Path p) throws IOException {
        return p.register(
                service,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean relevant = key != parentKey;
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (key == parentKey
                            && (e.kind() == StandardWatchEventKinds.OVERFLOW
                                    || dir.getFileName().equals(e.context()))) {
                        relevant = true;
                        rewatch();
                    }
                }
                key.reset();
                if (relevant) {
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Closed.
        }
    }

    /** The folder's name points to another directory now (or again): watch that one. */
    private void rewatch() {
        if (!Files.isDirectory(dir)) {
            log.warn("{} is gone; watching for it to come back", dir);
            return;
        }
        try {
            WatchKey next = register(dir);
            if (next != dirKey) {
                dirKey.cancel();
                dirKey = next;
                log.info("{} changed (now {}); watching it", dir, dir.toRealPath());
            }
        } catch (IOException e) {
            log.warn("Cannot watch {} any more; changes are applied at the next reload", dir, e);
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            log.debug("Closing the watch service failed", e);
        }
        thread.interrupt();
    }
}
