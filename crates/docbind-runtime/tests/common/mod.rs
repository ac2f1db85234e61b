//! Hand-written models, implemented the way generated code implements them.
#![allow(dead_code)]

use docbind_runtime::__private::ucloud::{decode_body, ResponseStatus};
use docbind_runtime::__private::{Decode, Sealed, Slot};
use docbind_runtime::{DecodeError, Extra};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImageInfo {
    pub image_id: Option<String>,
    pub image_name: Option<String>,
    pub status: Option<i64>,
    pub deploy_info_list: Vec<DeployImageInfo>,
    pub extra: Extra,
}

impl Sealed for ImageInfo {}

impl Decode for ImageInfo {
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        Some(match key {
            "ImageId" | "imageId" => Slot::Str(&mut self.image_id),
            "ImageName" | "imageName" => Slot::Str(&mut self.image_name),
            "Status" | "status" => Slot::Int(&mut self.status),
            "DeployInfoList" => Slot::ModelList(&mut self.deploy_info_list),
            _ => return None,
        })
    }
    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
    fn field_names(&self) -> &'static [&'static str] {
        &["ImageId", "ImageName", "Status", "DeployInfoList"]
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct DeployImageInfo {
    pub region: Option<String>,
    pub extra: Extra,
}

impl Sealed for DeployImageInfo {}

impl Decode for DeployImageInfo {
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        Some(match key {
            "Region" => Slot::Str(&mut self.region),
            _ => return None,
        })
    }
    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
    fn field_names(&self) -> &'static [&'static str] {
        &["Region"]
    }
}

/// UCloud `GetUvodnImage` response.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GetUvodnImageResponse {
    pub image_list: Vec<ImageInfo>,
    pub total_count: Option<i64>,
    pub extra: Extra,
}

impl Sealed for GetUvodnImageResponse {}

impl Decode for GetUvodnImageResponse {
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        Some(match key {
            "ImageList" => Slot::ModelList(&mut self.image_list),
            "TotalCount" => Slot::Int(&mut self.total_count),
            _ => return None,
        })
    }
    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
    fn field_names(&self) -> &'static [&'static str] {
        &["ImageList", "TotalCount"]
    }
}

/// Finovy `data` of a list call: `{ "data": [...], "totalCounts": n }`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ListData {
    pub data: Vec<ImageInfo>,
    pub total_counts: Option<i64>,
    pub extra: Extra,
}

impl Sealed for ListData {}

impl Decode for ListData {
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        Some(match key {
            "data" => Slot::ModelList(&mut self.data),
            "totalCounts" => Slot::Int(&mut self.total_counts),
            _ => return None,
        })
    }
    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
    fn field_names(&self) -> &'static [&'static str] {
        &["data", "totalCounts"]
    }
}

/// Decodes a `GetUvodnImage` body the way its generated `decode_response` does.
pub fn decode_image(body: &[u8]) -> Result<(GetUvodnImageResponse, ResponseStatus), DecodeError> {
    let mut response = GetUvodnImageResponse::default();
    let status = decode_body(body, &mut response)?;
    Ok((response, status))
}
