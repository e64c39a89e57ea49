// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/**
 * A separate JVM that owns a lab and never closes it: prints the namespace name, then blocks until killed.
 * Used to check that a SIGTERM'd owner still cleans up through its shutdown hook.
 */
public final class LabOwnerMain {

    private LabOwnerMain() {}

    public static void main(String[] args) throws Exception {
        NetLab lab = NetLab.create();
        System.out.println(lab.addNamespace("owned").name());
        System.out.flush();
        System.in.read();
    }
}
