package io.mooring.platform.windows.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Mooring Windows MDM", description = "MS-MDE2 enrollment and OMA-DM management of Windows 10/11 PCs")
@interface WindowsConfig {
    @AttributeDefinition(description = "Address PCs reach Mooring at (HTTPS): the enrollment and management URLs are built from it")
    String server_url() default "https://localhost:8443";

    @AttributeDefinition(description = "Organization named in device identities and shown in Windows' Access work or school")
    String organization() default "Mooring";

    @AttributeDefinition(description = "MDM provider id written to the PC (w7 APPLICATION PROVIDER-ID and DMClient); changing it orphans enrolled PCs")
    String provider_id() default "Mooring";

    @AttributeDefinition(description = "Poll schedule set at enrollment: how many polls right after enrolling, and how many minutes apart")
    int poll_first_count() default 8;

    int poll_first_minutes() default 3;

    @AttributeDefinition(description = "Then this many polls, this many minutes apart")
    int poll_second_count() default 5;

    int poll_second_minutes() default 15;

    @AttributeDefinition(description = "Then a poll every this many minutes for as long as the PC is enrolled (Windows has no push here): "
            + "the longest a queued command waits. Change it for some PCs with the SetPollSchedule command")
    int poll_minutes() default 60;

    @AttributeDefinition(description = "Encoding the PC uses for OMA-DM: xml (application/vnd.syncml.dm+xml) or wbxml")
    String encoding() default "xml";

    @AttributeDefinition(description = "Most commands Mooring puts into one OMA-DM message; the rest follow in the same session")
    int commands_per_message() default 20;

    @AttributeDefinition(description = "Hours between inventory reports (DevDetail, DevInfo, DeviceStatus) Mooring asks each PC for")
    int inventory_hours() default 24;

    @AttributeDefinition(description = "Largest OMA-DM or enrollment message accepted, in KiB")
    int max_message_kib() default 512;

    @AttributeDefinition(description = "Header in which a TLS-terminating proxy passes the PC's client certificate (PEM, URL-encoded); "
            + "empty: only the TLS connection's own client certificate authenticates. Set it only behind a proxy that strips it from clients")
    String client_certificate_header() default "";
}
