//! `--sql-ddl`: the Athena table for a trail's S3 location, with the
//! documented CloudTrail columns and partition projection, so that the
//! statements of `--emit-sql athena` run against it as they are.

/// The columns of the Athena documentation's CloudTrail table.
pub(crate) const CLOUDTRAIL_COLUMNS: &str = "\
  eventversion STRING,
  useridentity STRUCT<
    type: STRING, principalid: STRING, arn: STRING, accountid: STRING,
    invokedby: STRING, accesskeyid: STRING, username: STRING,
    onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING,
                            accountid: STRING, username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<federatedprovider: STRING,
                                  attributes: MAP<STRING, STRING>>>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  vpcendpointaccountid STRING,
  eventcategory STRING,
  addendum STRUCT<reason: STRING, updatedfields: STRING,
                  originalrequestid: STRING, originaleventid: STRING>,
  sessioncredentialfromconsole STRING,
  edgedevicedetails STRING,
  tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING,
                    clientprovidedhostheader: STRING>";

/// The table's column names in its order (the top-level names of
/// [`CLOUDTRAIL_COLUMNS`]): what an Athena statement returns.
pub(crate) fn table_columns() -> Vec<&'static str> {
    // The string's line continuation ate the first line's indent.
    CLOUDTRAIL_COLUMNS
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            if n == 0 {
                Some(line)
            } else {
                line.strip_prefix("  ")
            }
        })
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|rest| rest.split(' ').next())
        .collect()
}

/// Commercial regions for the region partition's enum.
const REGIONS: &str = "us-east-1,us-east-2,us-west-1,us-west-2,af-south-1,ap-east-1,ap-south-1,\
ap-south-2,ap-southeast-1,ap-southeast-2,ap-southeast-3,ap-southeast-4,ap-southeast-5,ap-southeast-7,\
ap-northeast-1,ap-northeast-2,ap-northeast-3,ca-central-1,ca-west-1,eu-central-1,eu-central-2,\
eu-west-1,eu-west-2,eu-west-3,eu-south-1,eu-south-2,eu-north-1,il-central-1,me-south-1,me-central-1,\
mx-central-1,sa-east-1";

/// A --sql-ddl location that names no trail prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DdlError {
    #[error("--sql-ddl '{0}': expected s3://BUCKET/PREFIX")]
    NotS3(String),
    #[error(
        "--sql-ddl '{0}': give the location before AWSLogs/ (or AWSLogs/o-ORGID for an organization trail)"
    )]
    InsideAwsLogs(String),
    #[error(transparent)]
    Table(#[from] crate::table::TableNameError),
}

/// `location` is the trail's `s3://BUCKET/PREFIX` (the part before
/// `AWSLogs/`), optionally with the organization id as
/// `s3://BUCKET/PREFIX/AWSLogs/o-xxxxxxxxxx`. Every account and region
/// under it becomes a partition, by day.
pub fn athena_ddl(location: &str, table: &str) -> Result<String, DdlError> {
    crate::table::check_table_name(table)?;
    let Some(rest) = location.strip_prefix("s3://") else {
        return Err(DdlError::NotS3(location.to_owned()));
    };
    if rest.is_empty() || location.contains(['\'', '\\', '$', '{', '}']) {
        return Err(DdlError::NotS3(location.to_owned()));
    }
    let base = location.trim_end_matches('/');
    let (root, layout) = match base.rsplit_once("/AWSLogs/") {
        Some((_, org)) if org.starts_with("o-") => (base.to_owned(), "organization"),
        Some(_) => {
            return Err(DdlError::InsideAwsLogs(location.to_owned()));
        }
        None => (format!("{base}/AWSLogs"), "single-account"),
    };
    Ok(format!(
        "-- CloudTrail table ({layout} layout) with partition projection over account, region and day.\n\
         -- Queries must name the account: WHERE account = '111122223333' (an injected partition).\n\
         CREATE EXTERNAL TABLE {table} (\n{CLOUDTRAIL_COLUMNS}\n)\n\
         PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)\n\
         ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n\
         STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n\
         OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n\
         LOCATION '{root}/'\n\
         TBLPROPERTIES (\n\
         \x20 'projection.enabled' = 'true',\n\
         \x20 'projection.account.type' = 'injected',\n\
         \x20 'projection.region.type' = 'enum',\n\
         \x20 'projection.region.values' = '{REGIONS}',\n\
         \x20 'projection.timestamp.type' = 'date',\n\
         \x20 'projection.timestamp.format' = 'yyyy/MM/dd',\n\
         \x20 'projection.timestamp.range' = '2013/11/01,NOW',\n\
         \x20 'projection.timestamp.interval' = '1',\n\
         \x20 'projection.timestamp.interval.unit' = 'DAYS',\n\
         \x20 'storage.location.template' = '{root}/${{account}}/CloudTrail/${{region}}/${{timestamp}}'\n\
         );"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_name_is_checked_as_for_queries() {
        let injected = "x (a int); DROP TABLE cloudtrail_logs; CREATE EXTERNAL TABLE y";
        let error = athena_ddl("s3://bucket/prefix", injected).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "--sql-table {injected:?}: not a table name (letters, digits and '_', \
                 optionally DATABASE.TABLE)"
            )
        );
        let ddl = athena_ddl("s3://bucket/prefix", "forensics.trail_2026").unwrap();
        assert!(ddl.contains("CREATE EXTERNAL TABLE forensics.trail_2026 (\n"));
    }
}

#[cfg(test)]
mod column_tests {
    #[test]
    fn the_returned_columns_are_the_tables_in_its_order() {
        let columns = super::table_columns();
        assert_eq!(columns.len(), 29);
        assert_eq!(columns[..3], ["eventversion", "useridentity", "eventtime"]);
        assert_eq!(columns.last(), Some(&"tlsdetails"));
    }
}
