//! The CloudTrail table as the Athena documentation defines it: which
//! member is which column, and what CloudTrail writes there. Read by the
//! Athena renderer of criteria (`athena`) and of Sigma items (`sigma`).

/// What CloudTrail writes in a column.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Str,
    Bool,
    /// A JSON object kept as its text (requestParameters ...): its members
    /// are read with json_extract, the whole is refused.
    JsonText,
}

/// The documented table: (CloudTrail's member name, column, kind), nested
/// structs as dotted member paths.
pub(crate) const COLUMNS: &[(&str, &str, Kind)] = &[
    ("eventVersion", "eventversion", Kind::Str),
    ("userIdentity.type", "useridentity.type", Kind::Str),
    (
        "userIdentity.principalId",
        "useridentity.principalid",
        Kind::Str,
    ),
    ("userIdentity.arn", "useridentity.arn", Kind::Str),
    (
        "userIdentity.accountId",
        "useridentity.accountid",
        Kind::Str,
    ),
    (
        "userIdentity.invokedBy",
        "useridentity.invokedby",
        Kind::Str,
    ),
    (
        "userIdentity.accessKeyId",
        "useridentity.accesskeyid",
        Kind::Str,
    ),
    ("userIdentity.userName", "useridentity.username", Kind::Str),
    (
        "userIdentity.onBehalfOf.userId",
        "useridentity.onbehalfof.userid",
        Kind::Str,
    ),
    (
        "userIdentity.onBehalfOf.identityStoreArn",
        "useridentity.onbehalfof.identitystorearn",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        "useridentity.sessioncontext.attributes.mfaauthenticated",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.attributes.creationDate",
        "useridentity.sessioncontext.attributes.creationdate",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.type",
        "useridentity.sessioncontext.sessionissuer.type",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.principalId",
        "useridentity.sessioncontext.sessionissuer.principalid",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.arn",
        "useridentity.sessioncontext.sessionissuer.arn",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.accountId",
        "useridentity.sessioncontext.sessionissuer.accountid",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.userName",
        "useridentity.sessioncontext.sessionissuer.username",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.ec2RoleDelivery",
        "useridentity.sessioncontext.ec2roledelivery",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.webIdFederationData.federatedProvider",
        "useridentity.sessioncontext.webidfederationdata.federatedprovider",
        Kind::Str,
    ),
    ("eventTime", "eventtime", Kind::Str),
    ("eventSource", "eventsource", Kind::Str),
    ("eventName", "eventname", Kind::Str),
    ("awsRegion", "awsregion", Kind::Str),
    ("sourceIPAddress", "sourceipaddress", Kind::Str),
    ("userAgent", "useragent", Kind::Str),
    ("errorCode", "errorcode", Kind::Str),
    ("errorMessage", "errormessage", Kind::Str),
    ("requestParameters", "requestparameters", Kind::JsonText),
    ("responseElements", "responseelements", Kind::JsonText),
    ("additionalEventData", "additionaleventdata", Kind::JsonText),
    ("serviceEventDetails", "serviceeventdetails", Kind::JsonText),
    ("requestID", "requestid", Kind::Str),
    ("eventID", "eventid", Kind::Str),
    ("readOnly", "readonly", Kind::Bool),
    ("eventType", "eventtype", Kind::Str),
    ("apiVersion", "apiversion", Kind::Str),
    ("recipientAccountId", "recipientaccountid", Kind::Str),
    ("sharedEventID", "sharedeventid", Kind::Str),
    ("vpcEndpointId", "vpcendpointid", Kind::Str),
    ("vpcEndpointAccountId", "vpcendpointaccountid", Kind::Str),
    ("eventCategory", "eventcategory", Kind::Str),
    (
        "sessionCredentialFromConsole",
        "sessioncredentialfromconsole",
        Kind::Str,
    ),
    ("tlsDetails.tlsVersion", "tlsdetails.tlsversion", Kind::Str),
    (
        "tlsDetails.cipherSuite",
        "tlsdetails.ciphersuite",
        Kind::Str,
    ),
    (
        "tlsDetails.clientProvidedHostHeader",
        "tlsdetails.clientprovidedhostheader",
        Kind::Str,
    ),
];

/// The column of a member CloudTrail writes as a string (`Some(false)`)
/// or a boolean (`Some(true)`); None for JSON text, structs and the rest.
pub(crate) fn scalar_column(member: &str) -> Option<(&'static str, bool)> {
    COLUMNS.iter().find_map(|(m, column, kind)| match kind {
        _ if *m != member => None,
        Kind::Str => Some((*column, false)),
        Kind::Bool => Some((*column, true)),
        Kind::JsonText => None,
    })
}

/// Members of each `resources` element.
pub(crate) const RESOURCE_FIELDS: &[(&str, &str)] =
    &[("ARN", "arn"), ("accountId", "accountid"), ("type", "type")];
