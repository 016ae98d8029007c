import json
def ref(n): return {"$ref": "#/components/schemas/"+n}
def ok(schema, code="200", desc="OK"): return {code: {"description": desc, "content": {"application/json": {"schema": schema}}}}
errors = {s: {"$ref": "#/components/responses/Problem"} for s in ["400","401","403","404","503"]}
def op(summary, role, params=None, body=None, responses=None, tag=None):
    o = {"summary": summary, "description": "Requires the %s role (or higher)." % role, "tags":[tag], "responses": dict(responses or {})}
    o["responses"].update({k:v for k,v in errors.items() if k not in o["responses"]})
    if params: o["parameters"] = params
    if body: o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return o
def q(name, desc, typ="string"): return {"name": name, "in": "query", "required": False, "description": desc, "schema": {"type": typ}}
pid = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
paging = [q("offset","First item (default 0)","integer"), q("limit","Items per page, 1 to 500 (default 50)","integer")]
def page(item): return {"type":"object","properties":{"items":{"type":"array","items":item},"total":{"type":"integer"},"offset":{"type":"integer"},"limit":{"type":"integer"}}}
S = lambda **p: {"type":"object","properties":{k:({"type":v} if isinstance(v,str) else v) for k,v in p.items()}}
schemas = {
 "Problem": S(type="string", title="string", status="integer", detail="string", field="string"),
 "Platform": S(id="string", displayName="string", version="string", bundle="string", state={"type":"string","enum":["ACTIVE","ABSENT"]},
   capabilities={"type":"array","items":{"type":"string"}}, commandTypes={"type":"array","items":{"type":"string"}}, devicePaths={"type":"array","items":{"type":"string"}}),
 "Device": S(id="string", tenant="string", platform="string", state={"type":"string","enum":["ENROLLED","UNENROLLED"]}, name="string", model="string",
   osVersion="string", serialNumber="string", hardwareId="string", enrolledAt={"type":"string","format":"date-time"}, lastSeenAt={"type":"string","format":"date-time"},
   push=S(provider="string", topic="string", valid="boolean")),
 "CommandRequest": {**S(type="string", payload={"type":"object","additionalProperties":True}, devices={"type":"array","items":{"type":"string","format":"uuid"}},
   platform="string", expiresAt={"type":"string","format":"date-time"}), "required":["type"], "description":"Give either devices or platform."},
 "Command": S(id="string", type="string", payload={"type":"object","additionalProperties":True}, issuedBy="string", createdAt={"type":"string","format":"date-time"},
   expiresAt={"type":"string","format":"date-time"}, targets="integer", deliveries={"type":"object","additionalProperties":{"type":"integer"},
   "description":"Number of target devices in each state: QUEUED, SENT, ACKNOWLEDGED, ERROR, EXPIRED, CANCELED"}),
 "Delivery": S(command="string", type="string", state="string", attempts="integer", queuedAt={"type":"string","format":"date-time"}, sentAt={"type":"string","format":"date-time"},
   completedAt={"type":"string","format":"date-time"}, result={"type":"string","enum":["ACKNOWLEDGED","ERROR","NOT_NOW"]}, data={"type":"object","additionalProperties":True}, error="string"),
 "Inventory": S(device="string", reportedAt={"type":"string","format":"date-time"}, name="string", model="string", osVersion="string", serialNumber="string",
   hardwareId="string", facts={"type":"object","additionalProperties":True}),
 "EnrollmentRequest": {**S(platform="string", validForSeconds="integer", maxUses="integer"), "required":["platform"]},
 "Enrollment": S(id="string", platform="string", tenant="string", token={"type":"string","description":"Shown only in this answer"}, expiresAt={"type":"string","format":"date-time"}, maxUses="integer",
                 enrollmentUrl={"type":"string","description":"Where a device enrolls with this token (platforms whose devices enroll by opening a link, e.g. Apple)"},
                 qrCodeUrl={"type":"string","description":"A PNG QR code of enrollmentUrl"}),
 "AuditEntry": S(id="integer", at={"type":"string","format":"date-time"}, actor="string", action="string", target="string", detail="string"),
 "Me": S(username="string", tenant="string", role="string", token="string"),
 "TokenRequest": {**S(name="string", role={"type":"string","enum":["SYSTEM_ADMIN","ADMIN","OPERATOR","AUDITOR"]}, validForDays="integer"), "required":["name"]},
 "Token": S(id="string", name="string", role="string", tenant="string", createdAt={"type":"string","format":"date-time"}, expiresAt={"type":"string","format":"date-time"},
   token={"type":"string","description":"Shown only when the token is created"}),
 "AccountRequest": {**S(username="string", password="string", role={"type":"string","enum":["SYSTEM_ADMIN","ADMIN","OPERATOR","AUDITOR"]}, tenant="string"), "required":["username","password","role"]},
 "Account": S(username="string", tenant="string", role="string", createdAt={"type":"string","format":"date-time"}, enabled="boolean"),
 "TenantRequest": {**S(id="string", name="string"), "required":["id","name"]},
 "Tenant": S(id="string", name="string", createdAt={"type":"string","format":"date-time"}),
 "ChallengeRequest": S(purpose="string", validForSeconds="integer"),
 "PushCertificateRequest": {**S(pkcs12={"type":"string","description":"base64 of the .p12 file"}, pem={"type":"string","description":"certificate and private key as PEM"}, password="string"),
   "description":"Give either pkcs12 (with password) or pem."},
 "PushCertificate": S(topic="string", subject="string", notBefore={"type":"string","format":"date-time"}, notAfter={"type":"string","format":"date-time"},
   daysLeft="integer", uploadedAt={"type":"string","format":"date-time"}, uploadedBy="string"),
 "Challenge": S(challenge={"type":"string","description":"Shown only in this answer; admits one certificate request"}, expiresAt={"type":"string","format":"date-time"}, scepUrl="string"),
 "Certificate": S(serial="string", subject="string", notBefore={"type":"string","format":"date-time"}, notAfter={"type":"string","format":"date-time"},
   status={"type":"string","enum":["VALID","REVOKED"]}, issuedAt={"type":"string","format":"date-time"}, pem="string"),
}
paths = {
 "/v1/platforms": {"get": op("Installed platform plugins, their version, state and capabilities", "auditor", responses=ok({"type":"array","items":ref("Platform")}), tag="platforms")},
 "/v1/devices": {"get": op("Devices of the caller's tenant", "auditor", [q("platform","Only this platform"), q("state","ENROLLED or UNENROLLED"), q("q","Matches name, serial number, model, hardware id or id")]+paging, responses=ok(page(ref("Device"))), tag="devices")},
 "/v1/devices/{id}": {"get": op("One device", "auditor", [pid], responses=ok(ref("Device")), tag="devices"),
                      "delete": op("Unenroll a device: its undelivered commands are cancelled and its credential stops working", "operator", [pid], responses=ok(ref("Device")), tag="devices")},
 "/v1/devices/{id}/commands": {"get": op("The device's commands, newest first", "auditor", [pid]+paging, responses=ok(page(ref("Delivery"))), tag="devices")},
 "/v1/devices/{id}/inventory": {"get": op("The latest inventory the device reported", "auditor", [pid], responses=ok(ref("Inventory")), tag="devices")},
 "/v1/commands": {"post": op("Queue one command to a list of devices or to every enrolled device of a platform; all or nothing", "operator", body=ref("CommandRequest"),
                   responses={**ok(ref("Command"), "201", "Queued"), "413": {"$ref": "#/components/responses/Problem"}}, tag="commands")},
 "/v1/commands/{id}": {"get": op("A command with the number of target devices in each delivery state", "auditor", [pid], responses=ok(ref("Command")), tag="commands"),
                       "delete": op("Cancel the deliveries not yet handed to a device", "operator", [pid], responses=ok(S(id="string", canceled="integer")), tag="commands")},
 "/v1/enrollments": {"post": op("Issue an enrollment token for a platform", "operator", body=ref("EnrollmentRequest"), responses=ok(ref("Enrollment"), "201", "Issued"), tag="enrollment")},
 "/v1/audit": {"get": op("Who did what, when: admin actions and device state changes, newest first", "auditor",
               [q("action","e.g. device.enrolled, command.queued"), q("target","Id of the record acted on"), q("since","ISO-8601 instant")]+paging, responses=ok(page(ref("AuditEntry"))), tag="audit")},
 "/v1/me": {"get": op("The signed-in caller", "auditor", responses=ok(ref("Me")), tag="accounts")},
 "/v1/tokens": {"get": op("The caller's active API tokens", "auditor", responses=ok({"type":"array","items":ref("Token")}), tag="accounts"),
                "post": op("Create an API token with at most the caller's role (not with a token)", "auditor", body=ref("TokenRequest"), responses=ok(ref("Token"), "201", "Created"), tag="accounts")},
 "/v1/tokens/{id}": {"delete": op("Revoke one of the caller's API tokens", "auditor", [pid], responses={"204": {"description": "Revoked"}}, tag="accounts")},
 "/v1/accounts": {"get": op("Admin accounts of the tenant (all tenants for a system admin)", "admin", responses=ok({"type":"array","items":ref("Account")}), tag="accounts"),
                  "post": op("Create an admin account", "admin", body=ref("AccountRequest"), responses=ok(ref("Account"), "201", "Created"), tag="accounts")},
 "/v1/tenants": {"get": op("Tenants visible to the caller", "auditor", responses=ok({"type":"array","items":ref("Tenant")}), tag="tenants"),
                 "post": op("Create a tenant", "system admin", body=ref("TenantRequest"), responses=ok(ref("Tenant"), "201", "Created"), tag="tenants")},
 "/v1/scep/challenges": {"post": op("Issue a one-time SCEP challenge password for the caller's tenant", "operator", body=ref("ChallengeRequest"), responses=ok(ref("Challenge"), "201", "Issued"), tag="pki")},
 "/v1/push-certificates": {"get": op("The tenant's Apple MDM push certificates with their expiry", "auditor", responses=ok({"type":"array","items":ref("PushCertificate")}), tag="pki"),
                           "post": op("Upload an Apple MDM push certificate with its key; the topic comes from its UID (com.apple.mgmt.)", "admin", body=ref("PushCertificateRequest"), responses=ok(ref("PushCertificate"), "201", "Stored"), tag="pki")},
 "/v1/pki/status": {"get": op("When the CA, the SCEP RA, the TLS certificate and the tenant's push certificates expire, with warnings", "auditor",
     responses=ok({"type":"array","items":S(kind="string", name="string", notAfter={"type":"string","format":"date-time"}, daysLeft="integer", warning="string")}), tag="pki")},
 "/v1/push/status": {"get": op("The push providers and what currently keeps each from reaching the tenant's devices", "auditor",
     responses=ok({"type":"array","items":S(provider="string", problems={"type":"array","items":S(subject="string", message="string", since={"type":"string","format":"date-time"})})}), tag="push")},
 "/v1/certificates": {"get": op("Certificates the CA issued to the tenant, newest first", "auditor", paging, responses=ok(page(ref("Certificate"))), tag="pki")},
 "/openapi.json": {"get": op("This document", "auditor", responses=ok({"type":"object"}), tag="meta")},
}
doc = {"openapi": "3.0.3",
 "info": {"title": "Mooring admin API", "version": "1",
  "description": "Manage enrolled devices, queue commands and read inventory and audit. Every request is authenticated with HTTP Basic (user name and password) or a Bearer API token; errors are application/problem+json. A system admin may act in another tenant by sending its id in X-Mooring-Tenant."},
 "servers": [{"url": "/api"}],
 "security": [{"basic": []}, {"bearer": []}],
 "paths": paths,
 "components": {"securitySchemes": {"basic": {"type":"http","scheme":"basic"}, "bearer": {"type":"http","scheme":"bearer"}},
   "responses": {"Problem": {"description": "A problem detail with a human sentence", "content": {"application/problem+json": {"schema": ref("Problem")}}}},
   "schemas": schemas}}
print(json.dumps(doc, indent=2))
