package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The path and query that the access log prints. */
class RequestRecorderTest {

    private record Case(String rawQuery, String logged) {}

    @Test
    void loggedPath_masksValuesOutsideAllowList() {
        List<Case> cases = List.of(
                new Case(null, "/v2/team/app/blobs/uploads/"),
                new Case("", "/v2/team/app/blobs/uploads/?"),
                new Case("mount=sha256:ab&from=team/base", "/v2/team/app/blobs/uploads/?mount=sha256:ab&from=team/base"),
                new Case("digest=sha256%3Aab", "/v2/team/app/blobs/uploads/?digest=sha256%3Aab"),
                new Case("n=10&last=b&artifactType=x", "/v2/team/app/blobs/uploads/?n=10&last=b&artifactType=x"),
                new Case("password=hunter2", "/v2/team/app/blobs/uploads/?password=*****"),
                new Case("pass%77ord=hunter2", "/v2/team/app/blobs/uploads/?pass%77ord=*****"),
                new Case("Digest=hunter2", "/v2/team/app/blobs/uploads/?Digest=*****"),
                new Case("hunter2", "/v2/team/app/blobs/uploads/?*****"),
                new Case("%zz=hunter2", "/v2/team/app/blobs/uploads/?*****"),
                new Case("access_token=abc.def.ghi&n=2", "/v2/team/app/blobs/uploads/?access_token=*****&n=2"),
                new Case("n=1&&n=2", "/v2/team/app/blobs/uploads/?n=1&&n=2"),
                new Case("service=registry&scope=repository:team/app:pull&account=alice&client_id=docker&offline_token=true",
                        "/v2/team/app/blobs/uploads/?service=registry&scope=repository:team/app:pull&account=alice&client_id=docker"
                                + "&offline_token=true"));

        for (Case c : cases) {
            assertThat(RequestRecorder.loggedPath("/v2/team/app/blobs/uploads/", c.rawQuery())).as(String.valueOf(c.rawQuery()))
                    .isEqualTo(c.logged());
        }
    }
}
