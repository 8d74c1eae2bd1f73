package io.triggerdeploy.support;

import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Launches Keycloak in the background when a run that includes the Keycloak tests begins, so that its 30–50 s boot
 * overlaps the classes before them instead of adding to the run ({@link TestKeycloak#start()} takes it over). Runs
 * without those tests (the ITs, a single other class) start nothing.
 */
public final class KeycloakEarlyStart implements TestExecutionListener {

    static final String TEST_CLASS = "io.triggerdeploy.federation.KeycloakTest";

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        if (System.getProperty(TestKeycloak.EARLY) != null || !includes(plan)) {
            return;
        }
        System.setProperty(TestKeycloak.EARLY, "starting");
        Thread t = new Thread(() -> {
            try {
                TestKeycloak.launchEarly();
            } catch (InterruptedException e) {
                System.setProperty(TestKeycloak.EARLY, "failed");
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                System.setProperty(TestKeycloak.EARLY, "failed");
            }
        }, "keycloak-early-start");
        t.setDaemon(true);
        t.start();
    }

    private static boolean includes(TestPlan plan) {
        Deque<TestIdentifier> todo = new ArrayDeque<>(plan.getRoots());
        while (!todo.isEmpty()) {
            TestIdentifier id = todo.pop();
            TestSource source = id.getSource().orElse(null);
            if (source instanceof ClassSource c && c.getClassName().equals(TEST_CLASS)) {
                return true;
            }
            if (source == null || !(source instanceof ClassSource)) {
                todo.addAll(plan.getChildren(id));
            }
        }
        return false;
    }
}
