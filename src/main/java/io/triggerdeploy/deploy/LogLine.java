package io.triggerdeploy.deploy;

import java.time.OffsetDateTime;

/** One stored output line; stream is 'o' (stdout), 'e' (stderr) or 's' (trigger-deploy's own lines). */
record LogLine(int lineNo, OffsetDateTime at, char stream, String text) {
}
