package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that records every provider list it is given. */
final class Pushes implements Registry.Listener {

    private final List<List<ServiceInstance>> lists = new CopyOnWriteArrayList<>();

    @Override
    public void onProviders(List<ServiceInstance> providers) {
        lists.add(List.copyOf(providers));
    }

    List<List<ServiceInstance>> all() {
        return List.copyOf(lists);
    }

    int count() {
        return lists.size();
    }

    /** The latest list; empty before the first push. */
    List<ServiceInstance> latest() {
        return lists.isEmpty() ? List.of() : lists.get(lists.size() - 1);
    }

    List<String> addresses() {
        return latest().stream().map(ServiceInstance::address).sorted().toList();
    }

    /** Whether an empty list ever followed a non-empty one (what empty-push protection prevents). */
    boolean wipedAfterKnowingProviders() {
        boolean known = false;
        for (List<ServiceInstance> l : lists) {
            if (!l.isEmpty()) {
                known = true;
            } else if (known) {
                return true;
            }
        }
        return false;
    }
}
