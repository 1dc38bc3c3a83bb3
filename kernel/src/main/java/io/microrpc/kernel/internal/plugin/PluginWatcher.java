package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the plugins folder and calls {@code onChange} after any event in it, including an overflow
 * (lost events): the reconcile it triggers rescans the whole folder, so no event needs to be exact.
 */
final class PluginWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginWatcher.class);

    private final WatchService service;
    private final Thread thread;

    PluginWatcher(Path dir, Runnable onChange) throws IOException {
        this.service = FileSystems.getDefault().newWatchService();
        dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new KernelThreadFactory("microrpc-plugin-watcher").newThread(() -> run(onChange));
        thread.start();
        log.info("Watching {} for plugin changes", dir.toAbsolutePath());
    }

    private void run(Runnable onChange) {
        try {
            while (true) {
                WatchKey key = service.take();
                key.pollEvents();
                onChange.run();
                if (!key.reset()) {
                    log.warn("The plugins folder is no longer watchable (deleted?); runtime plugin changes stop");
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Closed.
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
