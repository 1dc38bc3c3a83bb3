package io.microrpc.plugin.filter.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.testkit.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayCacheTest {

    private final ManualTicker ticker = ManualTicker.create();
    private final ReplayCache cache =
            new ReplayCache(ticker, Duration.ofSeconds(60).toNanos(), 3);

    @Test
    void aNonceIsAcceptedOncePerCallerWithinTheWindow() {
        assertThat(cache.record("alice", "n1")).isEqualTo(ReplayCache.Result.FIRST_SEEN);
        assertThat(cache.record("alice", "n1")).isEqualTo(ReplayCache.Result.REPLAYED);
        assertThat(cache.record("bob", "n1")).as("another caller's nonce").isEqualTo(ReplayCache.Result.FIRST_SEEN);
        ticker.advance(Duration.ofSeconds(59));
        assertThat(cache.record("alice", "n1")).isEqualTo(ReplayCache.Result.REPLAYED);
    }

    @Test
    void whenFullOfLiveNoncesNewOnesAreTurnedAwayThenAdmittedOnceOldOnesExpire() {
        cache.record("a", "1");
        ticker.advance(Duration.ofSeconds(10));
        cache.record("a", "2");
        cache.record("a", "3");
        assertThat(cache.record("a", "4")).isEqualTo(ReplayCache.Result.FULL);
        ticker.advance(Duration.ofSeconds(50));
        // "1" expired (60 s after it was seen): room for one.
        assertThat(cache.record("a", "4")).isEqualTo(ReplayCache.Result.FIRST_SEEN);
        assertThat(cache.record("a", "5")).isEqualTo(ReplayCache.Result.FULL);
        assertThat(cache.size()).isEqualTo(3);
        ticker.advance(Duration.ofSeconds(61));
        assertThat(cache.record("a", "5")).isEqualTo(ReplayCache.Result.FIRST_SEEN);
        assertThat(cache.size())
                .as("expired entries are dropped as new ones come")
                .isEqualTo(1);
    }
}
