package dev.radar.cli;

import dev.radar.Service;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Runs services in the foreground until Ctrl-C, stopping them in reverse order. */
final class Foreground {
    private Foreground() {
    }

    static int run(Service... services) throws Exception {
        List<Service> started = new java.util.ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).stop();
            }
            stopped.countDown();
        }, "radar-shutdown"));
        for (Service s : services) {
            s.start();
            started.add(s);
            System.err.println("radar: " + s.name() + " started");
        }
        System.err.println("radar: running; Ctrl-C to stop");
        stopped.await();
        return 0;
    }
}
