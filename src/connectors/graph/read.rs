//! The reads of a pull: organization, subscribedSkus, users (in full or by
//! delta), groups and their members. Collections that may be large come as
//! [`Pages`]; the small ones are read whole.

use reqwest::{Method, Url};

use super::paging::Pages;
use super::token::path_segment;
use super::{GraphClient, wire};
use crate::connectors::error::{ConnectorError, ErrorKind, Target};
use crate::domain::source::{
    SourceGroup, SourceMember, SourceOrganization, SourceSku, SourceUser, UserChange,
};

/// The user properties a pull reads (`signInActivity` is added when
/// permitted).
pub const USER_FIELDS: &str = "id,userPrincipalName,displayName,accountEnabled,department,usageLocation,\
                               assignedLicenses,licenseAssignmentStates";

impl GraphClient {
    /// `GET /organization`: the tenant's id, name and default domain.
    pub async fn organization(&self) -> Result<SourceOrganization, ConnectorError> {
        let first = self.v1("/organization?$select=id,displayName,verifiedDomains");
        let found = Pages::new(self.clone(), "organization", first.clone(), wire::organization)
            .all()
            .await?;
        let organization = found.into_iter().next().ok_or_else(|| ErrorKind::Malformed {
            target: target_of(&first),
            problem: "an empty list of organizations".to_owned(),
        })?;
        Ok(organization)
    }

    /// `GET /subscribedSkus`: every SKU, `Company` ones too (they come with
    /// `assignable: false`); Graph filters nothing here, the caller does.
    pub async fn subscribed_skus(&self) -> Result<Vec<SourceSku>, ConnectorError> {
        let first = self.v1(
            "/subscribedSkus?$select=skuId,skuPartNumber,appliesTo,capabilityStatus,consumedUnits,prepaidUnits",
        );
        Pages::new(self.clone(), "subscribedSkus", first, wire::sku)
            .all()
            .await
    }

    /// `GET /users` with their licenses, 999 a page (120 with sign-in
    /// activity, as Graph pages it), every page read on demand.
    pub fn users(&self) -> Pages<SourceUser> {
        let plain = self.v1(&format!("/users?$select={USER_FIELDS}&$top=999"));
        if !self.inner.sign_in_activity {
            return Pages::new(self.clone(), "users", plain, wire::user);
        }
        let with_sign_in = self.v1(&format!("/users?$select={USER_FIELDS},signInActivity&$top=999"));
        Pages::new(self.clone(), "users", with_sign_in, wire::user).or_without_sign_in(plain)
    }

    /// `GET /users/delta`: without a link, a first round through every user;
    /// with the deltaLink stored after the last round (used verbatim), the
    /// changes since. The deltaLink to store next is on the pages once the
    /// last is read; an expired link fails with `DeltaExpired`.
    pub fn users_delta(&self, delta_link: Option<&str>) -> Pages<UserChange> {
        if let Some(link) = delta_link {
            return Pages::new(self.clone(), "users/delta", link.to_owned(), wire::user_change)
                .read_whole(wire::user_change_page)
                .delta();
        }
        let plain = self.v1(&format!("/users/delta?$select={USER_FIELDS}"));
        if !self.inner.sign_in_activity {
            return Pages::new(self.clone(), "users/delta", plain, wire::user_change)
                .read_whole(wire::user_change_page)
                .delta();
        }
        let with_sign_in = self.v1(&format!("/users/delta?$select={USER_FIELDS},signInActivity"));
        Pages::new(self.clone(), "users/delta", with_sign_in, wire::user_change)
            .read_whole(wire::user_change_page)
            .delta()
            .or_without_sign_in(plain)
    }

    /// `GET /groups` with the licenses assigned to each.
    pub fn groups(&self) -> Pages<SourceGroup> {
        let first = self.v1("/groups?$select=id,displayName,assignedLicenses&$top=999");
        Pages::new(self.clone(), "groups", first, wire::group)
    }

    /// `GET /groups/{id}/members`: direct members (users, groups, devices;
    /// other kinds skipped).
    pub fn members(&self, group_id: &str) -> Pages<SourceMember> {
        let first = self.v1(&format!(
            "/groups/{}/members?$select=id&$top=999",
            path_segment(group_id)
        ));
        Pages::new(self.clone(), "members", first, wire::member).read_whole(wire::member_page)
    }
}

/// The target of a GET of `url`, for an error.
fn target_of(url: &str) -> Target {
    match Url::parse(url) {
        Ok(url) => Target::new(&Method::GET, &url),
        Err(_) => Target {
            method: "GET".to_owned(),
            host: String::new(),
            path: url.split('?').next().unwrap_or_default().to_owned(),
        },
    }
}
