package io.microrpc.kernel.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ThrottledLog}: one line per interval, and the end of a burst is summed up, never silent. */
class ThrottledLogTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final ThrottledLog log = new ThrottledLog(100, TimeUnit.MILLISECONDS, n -> lines.add("summary " + n));

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aBurstIsOneLineAndOneSummary() {
        for (int i = 0; i < 50; i++) {
            int event = i;
            log.log(scheduler, more -> lines.add("event " + event + " more " + more));
        }
        assertThat(lines).containsExactly("event 0 more 0");

        await().atMost(Duration.ofSeconds(5)).until(() -> lines.size() == 2);
        assertThat(lines.get(1)).isEqualTo("summary 49");
    }

    @Test
    void aLoneEventHasNoSummary() throws Exception {
        log.log(scheduler, more -> lines.add("event more " + more));
        // Nothing was left out, so nothing is scheduled: the scheduler has no task to run.
        assertThat(scheduler.shutdownNow()).isEmpty();
        assertThat(lines).containsExactly("event more 0");
    }
}
