package io.mooring.rest.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import javax.annotation.Priority;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.Response;

/**
 * Admin requests are small: a body over {@link #MAX_BYTES} is refused with 413 before it is parsed,
 * whether it announces its length or streams it chunked.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
final class BodyLimit implements ContainerRequestFilter {
    static final int MAX_BYTES = 1 << 20;

    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("the request body is larger than " + MAX_BYTES + " bytes", null, false, false);
        }
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > MAX_BYTES) {
            request.abortWith(Problem.response(Response.Status.REQUEST_ENTITY_TOO_LARGE, new TooLarge().getMessage()));
            return;
        }
        InputStream in = request.getEntityStream();
        if (in != null) {
            request.setEntityStream(new Bounded(in));
        }
    }

    private static final class Bounded extends FilterInputStream {
        private long count;

        Bounded(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                check(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                check(n);
            }
            return n;
        }

        private void check(int n) {
            count += n;
            if (count > MAX_BYTES) {
                throw new TooLarge();
            }
        }
    }
}
