/**
 * What platform plugins and push providers implement. A plugin registers one {@link PlatformPlugin}
 * service; the object may also implement the small capability interfaces here ({@link CommandSupport},
 * {@link DeviceLifecycle}, {@link GroupSettings}, ...). Core tracks plugins dynamically: a plugin that goes away takes nothing with
 * it, because devices, commands and results live in core's database.
 *
 * <h2>How each platform maps onto this SPI and the api</h2>
 * <ul>
 * <li><b>Apple (MDM).</b> Enrollment profile carries SCEP + MDM payloads; at TokenUpdate the plugin
 * stores the APNs token, PushMagic and topic with {@code DeviceRegistry.updatePush} (provider
 * {@code apns}). Core wakes the device through the {@code apns} {@link PushProvider}; on each check-in
 * the plugin takes one command with {@code CommandService.nextFor(device, 1)}, answers the result with
 * {@code complete} (Acknowledged, Error, NotNow map to {@code CommandResult.Outcome}) and gets the next
 * one on the same request. Command types are Apple's RequestType names.</li>
 * <li><b>Android Enterprise.</b> The agent enrolls with a token from a QR code or zero-touch config
 * ({@code EnrollmentService.enroll}), keeps the returned credential, registers its FCM token (provider
 * {@code fcm}); an FCM data message wakes it; it pulls JSON commands with {@code nextFor} and posts
 * results and inventory.</li>
 * <li><b>Windows (OMA-DM).</b> No push: the poll schedule set at enrollment is the wake-up. Each
 * SyncML session takes several commands at once with {@code nextFor(device, n)}, sends them in one
 * message and completes each from its Status/Results; session state lives in the plugin's tables.</li>
 * <li><b>Samsung KME.</b> An enrollment channel, not a management protocol: the KME plugin issues an
 * {@code EnrollmentService} token for the {@code android} platform and puts it into the KME profile, so
 * devices arrive in the Android flow already bound to their tenant.</li>
 * </ul>
 * Plugins use only {@code io.mooring.api} and this package; never another plugin's packages.
 */
@org.osgi.annotation.versioning.Version("1.2.0")
package io.mooring.spi;
