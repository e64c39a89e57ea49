// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** The version Maven recorded in the jar (META-INF/maven/.../pom.properties); "development build" elsewhere. */
final class VersionProvider implements CommandLine.IVersionProvider {

    private static final String POM_PROPERTIES =
            "/META-INF/maven/dev.packettrace/packettrace-node-agent/pom.properties";

    @Override
    public String[] getVersion() throws IOException {
        String version = "(development build)";
        try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version);
            }
        }
        return new String[] {
            "packettrace " + version,
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.version")
        };
    }
}
