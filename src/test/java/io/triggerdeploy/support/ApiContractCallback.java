package io.triggerdeploy.support;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;

/** Puts {@link ApiContract} in front of every RestAssured call of every {@code @QuarkusTest} (a ServiceLoader entry). */
public class ApiContractCallback implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (!RestAssured.filters().contains(ApiContract.INSTANCE)) {
            RestAssured.filters(ApiContract.INSTANCE);
        }
    }
}
